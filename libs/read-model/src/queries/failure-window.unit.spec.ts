import fc from 'fast-check';
import { failureWindowParts, type FailureWindowParts, type TimeRange } from './failure-window';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const inRange = (ms: number, r: TimeRange): boolean => ms >= r.from && (r.to === undefined || ms < r.to);

/** How many parts hold minute `m`: its bucket, its hour's rollup row, or its day's. */
function holders(parts: FailureWindowParts, m: number): number {
  return (
    parts.minutes.filter((r) => inRange(m, r)).length +
    parts.hours.filter((r) => inRange(Math.floor(m / HOUR) * HOUR, r)).length +
    parts.days.filter((r) => inRange(Math.floor(m / DAY) * DAY, r)).length
  );
}

describe('failureWindowParts', () => {
  const base = Date.UTC(2026, 11, 1);

  it('a 30-day window is its edge minutes, edge hours and 29 whole days', () => {
    const since = new Date(base + 10 * HOUR + 30 * MINUTE + 15_000);
    const until = new Date(base + 30 * DAY + 10 * HOUR + 30 * MINUTE + 15_000);
    expect(failureWindowParts(since, until)).toEqual({
      minutes: [
        { from: base + 10 * HOUR + 30 * MINUTE, to: base + 11 * HOUR },
        { from: base + 30 * DAY + 10 * HOUR, to: base + 30 * DAY + 10 * HOUR + 31 * MINUTE },
      ],
      hours: [
        { from: base + 11 * HOUR, to: base + DAY },
        { from: base + 30 * DAY, to: base + 30 * DAY + 10 * HOUR },
      ],
      days: [{ from: base + DAY, to: base + 30 * DAY }],
    });
  });

  it('an open-ended window ends in an unbounded range of days (the last day holds later buckets too)', () => {
    expect(failureWindowParts(new Date(base + 23 * HOUR + 59 * MINUTE))).toEqual({
      minutes: [{ from: base + 23 * HOUR + 59 * MINUTE, to: base + DAY }],
      hours: [],
      days: [{ from: base + DAY }],
    });
  });

  it('a window inside one hour is minutes only; one inside a day has no days', () => {
    expect(failureWindowParts(new Date(base + 5 * MINUTE), new Date(base + 20 * MINUTE))).toEqual({ minutes: [{ from: base + 5 * MINUTE, to: base + 20 * MINUTE }], hours: [], days: [] });
    expect(failureWindowParts(new Date(base + HOUR), new Date(base + 3 * HOUR))).toEqual({ minutes: [{ from: base + HOUR, to: base + HOUR }], hours: [{ from: base + HOUR, to: base + 3 * HOUR }], days: [] });
  });

  it('an invalid date is a named RangeError', () => {
    expect(() => failureWindowParts(new Date(Number.NaN))).toThrow(new RangeError('since must be a valid date'));
    expect(() => failureWindowParts(new Date(base), new Date(Number.NaN))).toThrow(new RangeError('until must be a valid date'));
  });

  it('every minute of the window is counted by exactly one part, and no minute outside it by any (property)', () => {
    const time = fc.integer({ min: base - 40 * DAY, max: base + 40 * DAY });
    fc.assert(
      fc.property(time, fc.option(fc.integer({ min: 1, max: 45 * DAY })), fc.array(fc.integer({ min: -50 * DAY, max: 90 * DAY }), { minLength: 1, maxLength: 40 }), (since, length, probes) => {
        const until = length === null ? undefined : since + length;
        const parts = failureWindowParts(new Date(since), until === undefined ? undefined : new Date(until));
        expect(parts.minutes.length).toBeGreaterThan(0);
        // Minutes near the edges and anywhere around the window.
        const minutes = [since, since - MINUTE, since + MINUTE, ...(until === undefined ? [] : [until, until - 1, until - MINUTE]), ...probes.map((p) => since + p)];
        for (const at of minutes) {
          const m = Math.floor(at / MINUTE) * MINUTE;
          const inWindow = m >= Math.floor(since / MINUTE) * MINUTE && (until === undefined || m < until);
          expect(holders(parts, m)).toBe(inWindow ? 1 : 0);
        }
      }),
    );
  });
});
