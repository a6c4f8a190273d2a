// The time arithmetic of the partitioned `decision` table, pure: periods (UTC days or months),
// what part of a wanted range no partition covers yet, partition names, what retention retires.
// Times are epoch milliseconds; a range is half-open [from, to), as PostgreSQL range bounds are.

export const DECISION_PARTITIONINGS = ['daily', 'monthly'] as const;
export type DecisionPartitioning = (typeof DECISION_PARTITIONINGS)[number];

export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/** The start of the UTC day or month holding `ms`. */
export function periodStart(ms: number, partitioning: DecisionPartitioning): number {
  const d = new Date(ms);
  return partitioning === 'daily' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The period holding `ms`. */
export function periodOf(ms: number, partitioning: DecisionPartitioning): TimeRange {
  const from = periodStart(ms, partitioning);
  const d = new Date(from);
  const to = partitioning === 'daily' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { from, to };
}

/** The period holding `now` and the `ahead` periods after it. */
export function periodsAhead(now: number, partitioning: DecisionPartitioning, ahead: number): TimeRange[] {
  const periods = [periodOf(now, partitioning)];
  for (let i = 0; i < ahead; i += 1) periods.push(periodOf(periods[periods.length - 1].to, partitioning));
  return periods;
}

/**
 * The parts of `wanted` that no range of `existing` covers, in time order. A switch from daily to
 * monthly (or back) leaves the old partitions in place: the new period is cut around them.
 */
export function uncoveredRanges(wanted: TimeRange, existing: readonly TimeRange[]): TimeRange[] {
  const overlapping = existing.filter((r) => r.from < wanted.to && r.to > wanted.from).sort((a, b) => a.from - b.from);
  const gaps: TimeRange[] = [];
  let cursor = wanted.from;
  for (const r of overlapping) {
    if (r.from > cursor) gaps.push({ from: cursor, to: r.from });
    cursor = Math.max(cursor, r.to);
  }
  if (cursor < wanted.to) gaps.push({ from: cursor, to: wanted.to });
  return gaps;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `20261206`, or `20261206T153000000` when the bound is not a UTC midnight. */
function boundLabel(ms: number): string {
  const d = new Date(ms);
  const day = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const rest = ms - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return rest === 0 ? day : `${day}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}${pad(d.getUTCMilliseconds(), 3)}`;
}

/** The partition's table name: its bounds, so two ranges never share a name (`decision_20261201_20270101`). */
export function partitionNameOf(range: TimeRange): string {
  return `decision_${boundLabel(range.from)}_${boundLabel(range.to)}`;
}

/** A bound as PostgreSQL reads it (UTC, millisecond precision). */
export function boundLiteral(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`partition bound ${ms} is not a time`);
  return new Date(ms).toISOString();
}

/**
 * Retention: the partitions wholly older than `now - retention` (their upper bound at or before
 * it). A partition is retired whole or not at all, so the table keeps at least `retention` of
 * decisions and at most `retention` plus one period.
 */
export function retirablePartitions<T extends TimeRange>(partitions: readonly T[], now: number, retentionMs: number): T[] {
  const cutoff = now - retentionMs;
  return partitions.filter((p) => p.to <= cutoff);
}
