import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { containsSecret, findSecrets } from './secrets';

const secret = `tok-${randomBytes(12).toString('hex')}`;
const other = `pw-${randomBytes(9).toString('base64url')}`;

describe('findSecrets', () => {
  // Base64 of "???>>>" is "Pz8/Pj4+": its base64url form differs, so the two are told apart.
  const slashy = `???>>>${secret}`;
  const reserved = `a/b+c=${secret}`;
  const cases: ReadonlyArray<readonly [string, string, string | Buffer, string | undefined]> = [
    ['a record without the secret has no hit', secret, '{"fingerprint":"hmac-sha256:k1:00"}', undefined],
    ['the secret written verbatim is found', secret, `{"token":"${secret}"}`, 'raw'],
    ['the secret as base64 of itself is found', slashy, `x ${Buffer.from(slashy).toString('base64')} y`, 'base64'],
    ['the secret as base64url is found', slashy, `x${Buffer.from(slashy).toString('base64url')}y`, 'base64url'],
    ['the secret as upper-case hex is found', secret, Buffer.from(secret).toString('hex').toUpperCase(), 'hex'],
    ['a secret with reserved characters URL-encoded in a query string is found', reserved, `/cb?token=${encodeURIComponent(reserved)}`, 'url-encoded'],
    ['the secret inside a binary buffer is found', secret, Buffer.concat([randomBytes(17), Buffer.from(secret), randomBytes(5)]), 'raw'],
    ['a password inside Basic base64(user:password) is found', secret, `Authorization: Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`, 'base64'],
  ];
  it.each(cases)('%s', (_sentence, used, haystack, encoding) => {
    const hits = findSecrets(haystack, [other, used]);
    expect(hits).toEqual(encoding ? [{ index: 1, encoding }] : []);
  });

  it('a JSON-escaped secret with quotes and non-ASCII characters is found', () => {
    const tricky = `p"ä\\ss-${randomBytes(4).toString('hex')}`;
    expect(findSecrets(JSON.stringify({ password: tricky }), [tricky]).map((hit) => hit.encoding)).toEqual(['json-escaped']);
  });

  it('the hits name the secret by index and never contain it', () => {
    expect(JSON.stringify(findSecrets(secret, [secret]))).not.toContain(secret);
  });

  it('an empty secret matches nothing', () => {
    expect(containsSecret('anything', [''])).toBe(false);
  });

  it('a secret embedded at any offset of a base64 or base64url blob is found (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.string({ minLength: 8, maxLength: 40, unit: 'grapheme' }), fc.boolean(), (before, after, s, url) => {
        const blob = Buffer.concat([before, Buffer.from(s, 'utf8'), after]).toString(url ? 'base64url' : 'base64');
        expect(containsSecret(blob, [s])).toBe(true);
      }),
    );
  });
});
