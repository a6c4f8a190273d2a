import fc from 'fast-check';
import { partitionNameOf, periodOf, periodsAhead, retirablePartitions, uncoveredRanges, boundLiteral, type DecisionPartitioning, type TimeRange } from './decision-periods';

const DAY = 86_400_000;
// 1970 … 2200, millisecond precision (what PostgreSQL and the producers store).
const instant = fc.integer({ min: 0, max: 7_258_118_400_000 });
const partitioning = fc.constantFrom<DecisionPartitioning>('daily', 'monthly');

describe('decision periods', () => {
  it.each([
    ['daily', '2026-12-06T15:30:00.123Z', '2026-12-06T00:00:00.000Z', '2026-12-07T00:00:00.000Z'],
    ['daily', '2026-12-31T23:59:59.999Z', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['monthly', '2028-02-29T12:00:00.000Z', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
    ['monthly', '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ] as const)('a %s period of %s is [%s, %s) in UTC', (p, at, from, to) => {
    expect(periodOf(Date.parse(at), p)).toEqual({ from: Date.parse(from), to: Date.parse(to) });
  });

  it('every instant lies in exactly one period, and consecutive periods tile the time line', () => {
    fc.assert(
      fc.property(instant, partitioning, (ms, p) => {
        const period = periodOf(ms, p);
        expect(period.from).toBeLessThanOrEqual(ms);
        expect(ms).toBeLessThan(period.to);
        expect(periodOf(period.to, p).from).toBe(period.to);
        expect(periodOf(period.from - 1, p).to).toBe(period.from);
        // A day is 24 h in UTC; a month 28 to 31 days.
        const days = (period.to - period.from) / DAY;
        expect(p === 'daily' ? days === 1 : days >= 28 && days <= 31).toBe(true);
      }),
    );
  });

  it('periodsAhead gives the current period and `ahead` contiguous ones after it', () => {
    fc.assert(
      fc.property(instant, partitioning, fc.integer({ min: 0, max: 40 }), (now, p, ahead) => {
        const periods = periodsAhead(now, p, ahead);
        expect(periods).toHaveLength(ahead + 1);
        expect(periods[0]).toEqual(periodOf(now, p));
        for (let i = 1; i < periods.length; i += 1) expect(periods[i].from).toBe(periods[i - 1].to);
      }),
    );
  });

  const range = fc.tuple(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 1, max: 300 })).map(([from, length]): TimeRange => ({ from, to: from + length }));

  it('uncoveredRanges is exactly the wanted range minus the existing ones (checked point by point)', () => {
    fc.assert(
      fc.property(range, fc.array(range, { maxLength: 6 }), (wanted, existing) => {
        // Existing partitions never overlap each other (PostgreSQL refuses that).
        const disjoint = existing.filter((r, i) => existing.slice(0, i).every((o) => r.to <= o.from || r.from >= o.to));
        const gaps = uncoveredRanges(wanted, disjoint);
        for (let t = wanted.from - 2; t < wanted.to + 2; t += 1) {
          const inGap = gaps.some((g) => g.from <= t && t < g.to);
          const expected = wanted.from <= t && t < wanted.to && !disjoint.some((r) => r.from <= t && t < r.to);
          expect(inGap).toBe(expected);
        }
        for (let i = 1; i < gaps.length; i += 1) expect(gaps[i].from).toBeGreaterThan(gaps[i - 1].to - 1);
        for (const g of gaps) expect(g.from).toBeLessThan(g.to);
      }),
    );
  });

  it('a partition is named by its bounds; distinct ranges get distinct names', () => {
    expect(partitionNameOf(periodOf(Date.parse('2026-12-06T10:00:00Z'), 'monthly'))).toBe('decision_20261201_20270101');
    expect(partitionNameOf({ from: Date.parse('2026-12-06T00:00:00Z'), to: Date.parse('2026-12-06T12:30:00.250Z') })).toBe('decision_20261206_20261206T123000250');
    fc.assert(
      fc.property(instant, instant, instant, instant, (a, b, c, d) => {
        const r1 = { from: Math.min(a, b), to: Math.max(a, b) + 1 };
        const r2 = { from: Math.min(c, d), to: Math.max(c, d) + 1 };
        const same = r1.from === r2.from && r1.to === r2.to;
        expect(partitionNameOf(r1) === partitionNameOf(r2)).toBe(same);
        expect(partitionNameOf(r1)).toMatch(/^decision_[0-9T]+_[0-9T]+$/);
      }),
    );
  });

  it('retention retires the partitions wholly older than now − retention, never the one the cutoff falls in', () => {
    const now = Date.parse('2031-05-10T12:00:00Z');
    const days = periodsAhead(Date.parse('2031-05-03T00:00:00Z'), 'daily', 8);
    const retired = retirablePartitions(days, now, 3 * DAY).map((r) => new Date(r.from).toISOString().slice(0, 10));
    // The cutoff is 2031-05-07T12:00Z: the day of 05-07 still holds retained decisions.
    expect(retired).toEqual(['2031-05-03', '2031-05-04', '2031-05-05', '2031-05-06']);
    fc.assert(
      fc.property(instant, partitioning, fc.integer({ min: DAY, max: 500 * DAY }), (now2, p, retention) => {
        const periods = periodsAhead(now2 - retention - 40 * DAY, p, 60);
        for (const r of retirablePartitions(periods, now2, retention)) expect(r.to).toBeLessThanOrEqual(now2 - retention);
        for (const r of periods.filter((x) => !retirablePartitions(periods, now2, retention).includes(x))) expect(r.to).toBeGreaterThan(now2 - retention);
      }),
    );
  });

  it('a bound that is not a time is refused by name, not written into SQL', () => {
    expect(() => boundLiteral(Number.NaN)).toThrow(/partition bound NaN is not a time/);
  });
});
