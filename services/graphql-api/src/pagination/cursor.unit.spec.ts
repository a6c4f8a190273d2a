import fc from 'fast-check';
import { type CursorKind, decodeCursor, encodeCursor } from './cursor';

const UUID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('keyset cursors', () => {
  it.each<[string, CursorKind, string, string | number]>([
    ['a decision cursor keeps time and uuid', 'decision', '2026-11-28T10:00:00.123Z', UUID],
    ['an identity cursor keeps a username with pipes and colons', 'identity', '2026-11-28T10:00:00.000Z', 'system:serviceaccount:a|b'],
    ['a policy cursor keeps the version', 'policy', '2026-11-28T10:00:00.000Z', 42],
  ])('%s', (_name, kind, time, key) => {
    const decoded = decodeCursor(kind, encodeCursor(kind, new Date(time), key));
    expect(decoded).toEqual({ ok: true, position: { time: new Date(time), key: String(key) } });
  });

  it.each([
    ['an empty string', 'decision', ''],
    ['characters outside base64url', 'decision', 'a+b/c='],
    ['a cursor of another kind', 'decision', encodeCursor('credential', new Date(0), 'x')],
    ['a decision cursor whose key is not a uuid', 'decision', encodeCursor('decision', new Date(0), 'x')],
    ['a policy cursor whose key is not a number', 'policy', encodeCursor('policy', new Date(0), 'x')],
    ['a time that is not a number', 'identity', Buffer.from('identity|abc|x').toString('base64url')],
    ['an empty key', 'identity', Buffer.from('identity|0|').toString('base64url')],
    ['an oversized cursor', 'identity', 'a'.repeat(5000)],
  ])('refuses %s', (_name, kind, cursor) => {
    expect(decodeCursor(kind as CursorKind, cursor).ok).toBe(false);
  });

  it('decoding never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom<CursorKind>('decision', 'identity', 'credential', 'policy', 'revocation'), (text, kind) => {
        const result = decodeCursor(kind, text);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });

  it('every encoded identity/credential cursor decodes to what was encoded (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true }), fc.string({ minLength: 1, maxLength: 200 }), (time, key) => {
        expect(decodeCursor('credential', encodeCursor('credential', time, key))).toEqual({ ok: true, position: { time, key } });
      }),
    );
  });
});
