import fc from 'fast-check';
import { decodeFingerprintSecret, parseFingerprintKeysEnv } from './fingerprint-keys';

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64url');

describe('parseFingerprintKeysEnv', () => {
  const cases: ReadonlyArray<[string, string, unknown]> = [
    ['one key with an id', `main:${K1}`, { ok: true, keys: [{ id: 'main', secret: K1 }] }],
    ['a key without an id is called default', K1, { ok: true, keys: [{ id: 'default', secret: K1 }] }],
    ['several keys keep their order (first is current)', `b:${K1}, a:${K2}`, { ok: true, keys: [{ id: 'b', secret: K1 }, { id: 'a', secret: K2 }] }],
    ['an empty list is refused', ' , ', { ok: false, message: 'must list at least one key as id:base64secret' }],
    ['a bad id is refused by position, not by content', `bad id:${K1}`, { ok: false, message: 'key id #1 must match ^[A-Za-z0-9_.-]{1,64}$' }],
  ];
  it.each(cases)('%s', (_name, text, expected) => expect(parseFingerprintKeysEnv(text)).toEqual(expected));

  it('never throws on any input (property)', () => {
    fc.assert(fc.property(fc.string(), (text) => { parseFingerprintKeysEnv(text); }));
  });
});

describe('decodeFingerprintSecret', () => {
  it.each([
    ['32 bytes of base64 is enough', K1, 32],
    ['base64url is accepted', K2, 32],
    ['fewer than 32 bytes is refused', Buffer.alloc(24).toString('base64'), undefined],
    ['non-base64 is refused', 'not base64!', undefined],
  ])('%s', (_name, text, length) => expect(decodeFingerprintSecret(text)?.length).toBe(length));
});
