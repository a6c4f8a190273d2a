import { createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { FINGERPRINT_PATTERN, USERNAME_HASH_PATTERN } from './decision-data.schema';
import { FingerprintKeyError, createFingerprinter, type FingerprintKey } from './fingerprint';

const newKey = Buffer.alloc(32, 0x11);
const oldKey = Buffer.alloc(40, 0x22);
const fingerprinter = createFingerprinter({ keys: [{ id: 'k2026', secret: newKey }, { id: 'k2025', secret: oldKey }] });
const token = 'abcdef.0123456789abcdef';

describe('createFingerprinter', () => {
  it('a fingerprint is hmac-sha256:<first key id>:<hex HMAC-SHA256 of the raw secret> (reproducible with any HMAC tool)', () => {
    const hex = createHmac('sha256', newKey).update(token).digest('hex');
    expect(fingerprinter.fingerprint(token)).toBe(`hmac-sha256:k2026:${hex}`);
    expect(fingerprinter.fingerprint(token)).toMatch(new RegExp(FINGERPRINT_PATTERN));
  });

  it('the same secret always gives the same fingerprint; bytes and their UTF-8 string agree', () => {
    expect(fingerprinter.fingerprint(token)).toBe(fingerprinter.fingerprint(token));
    expect(fingerprinter.fingerprint(Buffer.from(token))).toBe(fingerprinter.fingerprint(token));
  });

  it('different secrets give different fingerprints', () => {
    expect(fingerprinter.fingerprint(token)).not.toBe(fingerprinter.fingerprint(`${token}x`));
  });

  it('candidates list the fingerprint under every key, the writing key first', () => {
    const [current, previous] = fingerprinter.candidates(token);
    expect(current).toBe(fingerprinter.fingerprint(token));
    expect(previous).toBe(`hmac-sha256:k2025:${createHmac('sha256', oldKey).update(token).digest('hex')}`);
    expect(fingerprinter.keyIds).toEqual(['k2026', 'k2025']);
  });

  const matchCases: ReadonlyArray<readonly [string, string, () => string, boolean]> = [
    ['a fingerprint written with the current key matches', token, () => fingerprinter.fingerprint(token), true],
    ['a fingerprint written with the previous key still matches during rotation', token, () => fingerprinter.candidates(token)[1] ?? '', true],
    ['another secret does not match', 'other-token', () => fingerprinter.fingerprint(token), false],
    ['a fingerprint naming an unknown key does not match', token, () => fingerprinter.fingerprint(token).replace('k2026', 'k1999'), false],
    ['a fingerprint with one hex digit changed does not match', token, () => flipLastHex(fingerprinter.fingerprint(token)), false],
    ['a truncated fingerprint does not match (and does not throw)', token, () => fingerprinter.fingerprint(token).slice(0, -2), false],
    ['upper-case hex is not the canonical form and does not match', token, () => fingerprinter.fingerprint(token).toUpperCase(), false],
    ['a username hash is not a credential fingerprint', token, () => fingerprinter.usernameHash(token), false],
    ['garbage does not match', token, () => 'hmac-sha256::', false],
  ];
  it.each(matchCases)('%s', (_sentence, secret, fingerprint, expected) => {
    expect(fingerprinter.matches(secret, fingerprint())).toBe(expected);
  });

  it('after a rotation, the old fingerprinter reads what the new one wrote only if it has the key', () => {
    const rotated = createFingerprinter({ keys: [{ id: 'k2027', secret: Buffer.alloc(32, 0x33) }, { id: 'k2026', secret: newKey }] });
    expect(rotated.matches(token, fingerprinter.fingerprint(token))).toBe(true);
    expect(fingerprinter.matches(token, rotated.fingerprint(token))).toBe(false);
  });

  it('matches() recognises every fingerprint it wrote and no other secret (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 64 }), (a, b) => {
        expect(fingerprinter.matches(a, fingerprinter.fingerprint(a))).toBe(true);
        expect(fingerprinter.matches(b, fingerprinter.fingerprint(a))).toBe(a === b);
      }),
    );
  });

  it('matches() never throws on any string given as a fingerprint (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => expect(typeof fingerprinter.matches(token, text)).toBe('boolean')));
  });
});

describe('usernameHash', () => {
  it('is hmac-sha256-username:<key id>:<hex>, stable, and different from the credential fingerprint of the same string', () => {
    const hash = fingerprinter.usernameHash('alice');
    expect(hash).toMatch(new RegExp(USERNAME_HASH_PATTERN));
    expect(hash).toBe(fingerprinter.usernameHash('alice'));
    expect(hash.split(':')[2]).not.toBe(fingerprinter.fingerprint('alice').split(':')[2]);
  });

  it('lists one hash per key for look-ups during rotation', () => {
    expect(fingerprinter.usernameHashCandidates('alice')).toEqual([fingerprinter.usernameHash('alice'), expect.stringMatching(/^hmac-sha256-username:k2025:/)]);
  });
});

describe('key validation', () => {
  const secretKey = randomBytes(16);
  const cases: ReadonlyArray<readonly [string, readonly FingerprintKey[], string, string]> = [
    ['no key at all is refused', [], 'no_keys', 'at least one fingerprint key is required'],
    ['a key shorter than 32 bytes is refused without printing it', [{ id: 'short', secret: secretKey }], 'key_too_short', 'fingerprint key "short" has 16 bytes; at least 32 random bytes are required'],
    ['a key id with a colon is refused (it would break the fingerprint format)', [{ id: 'a:b', secret: newKey }], 'invalid_key_id', 'fingerprint key #1: id must match ^[A-Za-z0-9._-]{1,64}$'],
    ['an empty key id is refused', [{ id: '', secret: newKey }], 'invalid_key_id', 'fingerprint key #1: id must match ^[A-Za-z0-9._-]{1,64}$'],
    ['two keys with one id are refused', [{ id: 'k', secret: newKey }, { id: 'k', secret: oldKey }], 'duplicate_key_id', 'fingerprint key id "k" appears twice'],
    ['a key given as a string instead of bytes is refused', [{ id: 'k', secret: 'x'.repeat(64) as unknown as Uint8Array }], 'key_too_short', 'fingerprint key "k" has 0 bytes; at least 32 random bytes are required'],
  ];
  it.each(cases)('%s', (_sentence, keys, code, message) => {
    let thrown: unknown;
    try {
      createFingerprinter({ keys });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FingerprintKeyError);
    expect(thrown).toMatchObject({ code, message });
    const printed = `${inspect(thrown)} ${(thrown as Error).stack ?? ''}`;
    expect(printed).not.toContain(secretKey.toString('hex'));
    expect(printed).not.toContain(secretKey.toString('base64'));
  });

  it('a key changed by the caller after creation does not change fingerprints', () => {
    const key = Buffer.alloc(32, 0x44);
    const f = createFingerprinter({ keys: [{ id: 'k', secret: key }] });
    const before = f.fingerprint(token);
    key.fill(0);
    expect(f.fingerprint(token)).toBe(before);
  });

  it('inspecting a fingerprinter does not show the key bytes', () => {
    const key = randomBytes(32);
    const printed = inspect(createFingerprinter({ keys: [{ id: 'k', secret: key }] }), { depth: 10, showHidden: true });
    expect(printed).not.toContain(key.toString('hex'));
    expect(printed).not.toContain(key.toString('base64'));
  });
});

function flipLastHex(fingerprint: string): string {
  const last = fingerprint.at(-1) === '0' ? '1' : '0';
  return `${fingerprint.slice(0, -1)}${last}`;
}
