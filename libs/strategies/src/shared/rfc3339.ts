// Strict RFC 3339 timestamps (Go's time.RFC3339 layout, as Kubernetes parses expirations).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** `undefined` when the text is not an RFC 3339 date-time. */
export function parseRfc3339(text: string): Date | undefined {
  const match = RFC3339.exec(text.trim());
  if (!match) return undefined;
  const [, , month, day, hour, minute, second] = match;
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  const ms = Date.parse(text.trim().replace(/[t]/, 'T').replace(/z$/, 'Z'));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
