import fc from 'fast-check';
import { canonicalTime } from './event.rows';

const slowCanonicalTime = (time: string): string => new Date(Date.parse(time)).toISOString();

describe('canonicalTime', () => {
  it.each([
    ['a canonical UTC time is returned as is', '2026-11-29T03:04:05.678Z', '2026-11-29T03:04:05.678Z'],
    ['an offset is converted to UTC', '2026-11-29T04:04:05.678+01:00', '2026-11-29T03:04:05.678Z'],
    ['seconds without milliseconds gain .000', '2026-11-29T03:04:05Z', '2026-11-29T03:04:05.000Z'],
    ['microseconds are cut to milliseconds', '2026-11-29T03:04:05.678901Z', '2026-11-29T03:04:05.678Z'],
    ['a day past the end of the month rolls over like Date does', '2026-02-30T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
  ])('%s', (_name, input, expected) => {
    expect(canonicalTime(input)).toBe(expected);
  });

  it('the fast path answers exactly what parsing and formatting would (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString();
        expect(canonicalTime(iso)).toBe(slowCanonicalTime(iso));
      }),
    );
  });
});
