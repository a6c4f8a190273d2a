// Splits a failure-statistics window into what each store answers exactly: whole UTC days and
// whole hours from `failure_rollup`, the minutes at the edges from `failure_bucket`. Pure.
//
// The window counts whole minutes, as the bucket query always did: from the minute containing
// `since` up to the minutes before `until` (a bucket's minute m is in it iff m < until, that is
// m < `until` rounded up to a minute). Open-ended (no `until`): the last day's rollup holds
// everything projected from that day on, including buckets dated later.

/** Milliseconds since the epoch; `to` is exclusive, absent = unbounded. */
export interface TimeRange {
  readonly from: number;
  readonly to?: number;
}

export interface FailureWindowParts {
  /** Ranges of `failure_bucket.minute`; at least one (possibly empty) range. */
  readonly minutes: readonly TimeRange[];
  /** Ranges of hourly rollup starts. */
  readonly hours: readonly TimeRange[];
  /** Ranges of daily rollup starts. */
  readonly days: readonly TimeRange[];
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const floorTo = (ms: number, unit: number): number => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number): number => Math.ceil(ms / unit) * unit;
const nonEmpty = (ranges: readonly TimeRange[]): TimeRange[] => ranges.filter((r) => r.to === undefined || r.to > r.from);

export function failureWindowParts(since: Date, until?: Date): FailureWindowParts {
  const start = floorTo(since.getTime(), MINUTE);
  if (!Number.isFinite(start)) throw new RangeError('since must be a valid date');
  const end = until === undefined ? undefined : ceilTo(until.getTime(), MINUTE);
  if (end !== undefined && !Number.isFinite(end)) throw new RangeError('until must be a valid date');
  const firstHour = ceilTo(start, HOUR);
  const firstDay = ceilTo(firstHour, DAY);
  if (end === undefined) {
    return { minutes: [{ from: start, to: firstHour }], hours: nonEmpty([{ from: firstHour, to: firstDay }]), days: [{ from: firstDay }] };
  }
  // Shorter than the first whole hour: minutes only.
  if (firstHour >= end) return { minutes: [{ from: start, to: end }], hours: [], days: [] };
  const lastHour = floorTo(end, HOUR);
  const lastDay = floorTo(lastHour, DAY);
  const edges = nonEmpty([{ from: start, to: firstHour }, { from: lastHour, to: end }]);
  const minutes = edges.length > 0 ? edges : [{ from: start, to: start }];
  // No whole day inside: whole hours between the edges.
  if (firstDay >= lastDay) return { minutes, hours: nonEmpty([{ from: firstHour, to: lastHour }]), days: [] };
  return { minutes, hours: nonEmpty([{ from: firstHour, to: firstDay }, { from: lastDay, to: lastHour }]), days: [{ from: firstDay, to: lastDay }] };
}
