// Durations in config are short strings (`10s`, `1m`, `5m`, `1h`, `90d`), as operators write
// them in Kubernetes manifests. They become milliseconds once, at load time.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The pattern the config schema checks; also documents the accepted forms. */
export const DURATION_PATTERN = '^(0|[0-9]{1,9}(ms|s|m|h|d))$';
const DURATION_RE = new RegExp(DURATION_PATTERN);

export type DurationParse = { readonly ok: true; readonly ms: number } | { readonly ok: false };

/** `"10s"` → 10000; anything else (negative, fractional, unknown unit) is not a duration. */
export function parseDuration(text: string): DurationParse {
  if (!DURATION_RE.test(text)) return { ok: false };
  if (text === '0') return { ok: true, ms: 0 };
  const match = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (!match) return { ok: false };
  const unit = match[2] as keyof typeof UNIT_MS;
  return { ok: true, ms: Number(match[1]) * UNIT_MS[unit] };
}

/** For docs and error messages: the largest unit that divides the value. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return ms === 0 ? '0s' : `${ms}ms`;
}
