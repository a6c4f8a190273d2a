import fc from 'fast-check';
import { isoTimeOf } from './iso-time';

// The whole range a Date holds: ±100,000,000 days around 1970.
const MAX_TIME = 8.64e15;

describe('isoTimeOf', () => {
  it('writes what toISOString writes, at the edges of four-digit years, leap days and the epoch', () => {
    const instants = [
      '0000-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '2000-02-29T12:00:00.005Z',
      '1900-03-01T00:00:00.050Z',
      '2100-02-28T23:59:59.500Z',
      '2024-12-31T23:59:59.999Z',
    ];
    for (const text of instants) expect(isoTimeOf(Date.parse(text))).toBe(text);
  });

  it('agrees with toISOString for any instant a Date can hold, the extended ±YYYYYY years included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), fc.integer({ min: -MAX_TIME, max: MAX_TIME })), (millis) => {
        expect(isoTimeOf(millis)).toBe(new Date(millis).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('a fraction of a millisecond is dropped, as a Date drops it', () => {
    fc.assert(fc.property(fc.double({ min: -1e13, max: 1e13, noNaN: true }), (millis) => expect(isoTimeOf(millis)).toBe(new Date(millis).toISOString())));
  });

  it('refuses an invalid time like toISOString: a RangeError', () => {
    for (const invalid of [Number.NaN, Number.POSITIVE_INFINITY, MAX_TIME + 1]) expect(() => isoTimeOf(invalid)).toThrow(RangeError);
  });
});
