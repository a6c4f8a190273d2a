import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  const cases: ReadonlyArray<[string, string, number | undefined]> = [
    ['seconds are thousands of milliseconds', '10s', 10_000],
    ['minutes', '5m', 300_000],
    ['hours', '1h', 3_600_000],
    ['days', '90d', 90 * 86_400_000],
    ['milliseconds', '250ms', 250],
    ['a bare zero is zero', '0', 0],
    ['a bare number is refused (unit required)', '10', undefined],
    ['a negative value is refused', '-1s', undefined],
    ['a fraction is refused', '1.5h', undefined],
    ['an unknown unit is refused', '1w', undefined],
    ['spaces are refused', '1 s', undefined],
  ];
  it.each(cases)('%s', (_name, text, ms) => {
    expect(parseDuration(text)).toEqual(ms === undefined ? { ok: false } : { ok: true, ms });
  });

  it('never throws and round-trips through formatDuration (property)', () => {
    fc.assert(fc.property(fc.string(), (text) => { parseDuration(text); }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), fc.constantFrom('ms', 's', 'm', 'h', 'd'), (n, unit) => {
        const parsed = parseDuration(`${n}${unit}`);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parseDuration(formatDuration(parsed.ms))).toEqual(parsed);
      }),
    );
  });
});
