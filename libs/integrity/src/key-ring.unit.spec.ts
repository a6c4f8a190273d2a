import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { IntegrityKeyError, keyInputsOfJwks, loadSigningKey, loadVerificationKeys, verificationKeysOf, type IntegrityKeyErrorCode, type KeyInput } from './key-ring';
import { ed25519Pem } from './testdata/produced-chain';

const one = ed25519Pem();
const two = ed25519Pem();
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const rsaPrivatePem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

function codeOf(load: () => unknown): { code: IntegrityKeyErrorCode; message: string } {
  try {
    load();
  } catch (error) {
    if (error instanceof IntegrityKeyError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('no error');
}

describe('loadVerificationKeys', () => {
  it('loads several public keys by id and exports them as an RFC 8037 JWK Set', () => {
    const ring = loadVerificationKeys([
      { id: 'k2026', key: one.publicPem },
      { id: 'k2025', key: two.publicPem },
    ]);
    expect(ring.ids).toEqual(['k2026', 'k2025']);
    expect(ring.get('k2026')?.asymmetricKeyType).toBe('ed25519');
    expect(ring.get('nope')).toBeUndefined();
    const jwks = ring.toJwks();
    expect(jwks.keys.map((key) => [key.kid, key.kty, key.crv, key.alg])).toEqual([
      ['k2026', 'OKP', 'Ed25519', 'EdDSA'],
      ['k2025', 'OKP', 'Ed25519', 'EdDSA'],
    ]);
    // The JWK is the same public key: it reads back to the PEM's key.
    const fromJwk = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwks.keys[0].x }, format: 'jwk' });
    expect(fromJwk.export({ format: 'pem', type: 'spki' })).toBe(one.publicPem);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
  });

  it('reads the JWK Set it exports back into the same ring (what `verify --jwks` does)', () => {
    const ring = loadVerificationKeys([{ id: 'k1', key: one.publicPem }]);
    const again = loadVerificationKeys(keyInputsOfJwks(JSON.parse(JSON.stringify(ring.toJwks()))));
    expect(again.ids).toEqual(['k1']);
    expect(again.get('k1')?.equals(ring.get('k1') as never)).toBe(true);
  });

  const refusals: ReadonlyArray<readonly [string, readonly KeyInput[], IntegrityKeyErrorCode]> = [
    ['no keys', [], 'no_keys'],
    ['a key id with a space', [{ id: 'my key', key: one.publicPem }], 'invalid_key_id'],
    ['the same id twice', [{ id: 'k', key: one.publicPem }, { id: 'k', key: two.publicPem }], 'duplicate_key_id'],
    ['text that is not PEM', [{ id: 'k', key: 'not a key' }], 'invalid_key'],
    ['a PEM with a broken body', [{ id: 'k', key: one.publicPem.replace(/[A-Za-z]{8}/, '!!!!!!!!') }], 'invalid_key'],
    ['an RSA key', [{ id: 'k', key: rsaPublicPem }], 'not_ed25519'],
    ['a private key', [{ id: 'k', key: one.privatePem }], 'private_key_given'],
    ['a private JWK', [{ id: 'k', key: { kty: 'OKP', crv: 'Ed25519', x: 'AA', d: 'AA' } }], 'private_key_given'],
  ];
  it.each(refusals)('refuses %s with a named error that never quotes the key', (_name, inputs, code) => {
    const refused = codeOf(() => loadVerificationKeys(inputs));
    expect(refused.code).toBe(code);
    expect(refused.message).not.toMatch(/BEGIN|MII|MC[oO]/);
  });

  it('a JWK Set without keys or kid is refused', () => {
    expect(codeOf(() => keyInputsOfJwks({})).code).toBe('invalid_key');
    expect(codeOf(() => keyInputsOfJwks({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AA' }] })).code).toBe('invalid_key_id');
    expect(codeOf(() => keyInputsOfJwks({ keys: ['x'] })).code).toBe('invalid_key');
  });
});

describe('loadSigningKey', () => {
  it('loads a PKCS#8 Ed25519 private key whose signatures its public key verifies', () => {
    const key = loadSigningKey({ id: 'k1', key: one.privatePem });
    const ring = verificationKeysOf([key]);
    const signature = sign(null, Buffer.from('x'), key.privateKey);
    expect(verify(null, Buffer.from('x'), ring.get('k1') as never, signature)).toBe(true);
    expect(ring.get('k1')?.export({ format: 'pem', type: 'spki' })).toBe(one.publicPem);
  });

  it.each([
    ['a public key', one.publicPem, 'public_key_given'],
    ['an RSA private key', rsaPrivatePem, 'not_ed25519'],
    ['garbage', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', 'invalid_key'],
    ['text without a PEM header', 'hello', 'invalid_key'],
  ] as const)('refuses %s', (_name, key, code) => {
    const refused = codeOf(() => loadSigningKey({ id: 'k1', key }));
    expect(refused.code).toBe(code);
    expect(refused.message).toContain('"k1"');
  });
});
