import fc from 'fast-check';
import { BadNotificationError, parseDecisionsProjected } from './decisions-projected.notification';

// Payloads as the projector writes them (services/projector/src/notify): built here from the documented format.
const payload = (newest: string, ids: readonly string[]): string => JSON.stringify({ v: 1, newest, ids });
const time = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });

describe('parseDecisionsProjected', () => {
  it('reads back the newest time and the ids (lower-cased) of any well-formed payload', () => {
    fc.assert(
      fc.property(time, fc.array(fc.uuid(), { minLength: 1, maxLength: 200 }), fc.boolean(), (newest, ids, upper) => {
        const written = upper ? ids.map((id) => id.toUpperCase()) : ids;
        const parsed = parseDecisionsProjected(payload(newest.toISOString(), written));
        expect(parsed.newest.getTime()).toBe(newest.getTime());
        expect(parsed.ids).toEqual(ids.map((id) => id.toLowerCase()));
      }),
    );
  });

  it.each([
    ['not JSON', '{"v":1,', /not JSON/],
    ['a list', '[1]', /not an object/],
    ['null', 'null', /not an object/],
    ['another version', payload('2026-12-06T00:00:00Z', ['0193a4f0-0000-7000-8000-000000000001']).replace('"v":1', '"v":2'), /unknown version 2/],
    ['no newest', JSON.stringify({ v: 1, ids: ['0193a4f0-0000-7000-8000-000000000001'] }), /"newest" is not an RFC 3339 time/],
    ['a newest that is no time', payload('yesterday', ['0193a4f0-0000-7000-8000-000000000001']), /"newest" is not an RFC 3339 time/],
    ['an impossible date', payload('2026-13-45T00:00:00Z', ['0193a4f0-0000-7000-8000-000000000001']), /"newest" is not an RFC 3339 time/],
    ['no ids', payload('2026-12-06T00:00:00Z', []), /"ids" is not a non-empty list/],
    ['an id that is no UUID', payload('2026-12-06T00:00:00Z', ["1'; DROP TABLE decision; --"]), /not a UUID/],
    ['an id that is a number', JSON.stringify({ v: 1, newest: '2026-12-06T00:00:00Z', ids: [7] }), /not a UUID/],
  ])('refuses %s with a named error', (_name, text, message) => {
    expect(() => parseDecisionsProjected(text)).toThrow(BadNotificationError);
    expect(() => parseDecisionsProjected(text)).toThrow(message);
  });

  it('never throws anything but BadNotificationError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseDecisionsProjected(text);
        } catch (error) {
          expect(error).toBeInstanceOf(BadNotificationError);
        }
      }),
    );
  });
});
