import { ecKeyPair, ed25519KeyPair, kubernetesKeyIdOf, rsaKeyPair, selfSignedCertificate } from '@authtrail/testing';
import { ASYMMETRIC_ALGORITHMS } from './jwt-algorithms';
import { loadJwks, loadPemKeys } from './verification-key.loader';

const ALL = ASYMMETRIC_ALGORITHMS;
const rsa = rsaKeyPair({ kid: 'r1' });
const ec = ecKeyPair({ kid: 'e1' });
const ed = ed25519KeyPair({ kid: 'd1' });

describe('loadPemKeys', () => {
  it('loads every block of a PEM bundle, pinning each key to the algorithms of its type', () => {
    const loaded = loadPemKeys(`${rsa.publicPem}\n${ec.publicPem}${ed.publicPem}`, 'keys.pem', ALL);
    expect(loaded.kind === 'loaded' && loaded.keys.map((k) => k.algorithms)).toEqual([
      ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
      ['ES256'],
      ['EdDSA'],
    ]);
  });

  it('gives PEM keys the kube-apiserver key id', () => {
    const loaded = loadPemKeys(rsa.publicPem, 'sa.pub', ALL);
    expect(loaded.kind === 'loaded' && loaded.keys[0]?.kid).toBe(kubernetesKeyIdOf(rsa.publicKey));
  });

  it.each([
    ['a certificate yields its public key', () => selfSignedCertificate(rsa), 'loaded'],
    ['a private key yields only its public half', () => rsa.privatePem, 'loaded'],
    ['garbage inside a PEM block is refused', () => '-----BEGIN PUBLIC KEY-----\nQUJD\n-----END PUBLIC KEY-----', 'invalid'],
    ['a file without PEM blocks is refused', () => 'not a key', 'invalid'],
    ['an RSA key below 2048 bits is refused', () => rsaKeyPair({ bits: 1024 }).publicPem, 'invalid'],
  ])('%s', (_name, pem, kind) => {
    const loaded = loadPemKeys(pem(), 'file.pem', ALL);
    expect(loaded.kind).toBe(kind);
    if (loaded.kind === 'loaded') expect(loaded.keys.every((k) => k.key.type === 'public')).toBe(true);
  });

  it('refuses a key whose type allows none of the configured algorithms', () => {
    expect(loadPemKeys(ec.publicPem, 'ec.pem', ['RS256'])).toEqual({ kind: 'invalid', message: expect.stringMatching(/ec\.pem/) });
  });
});

describe('loadJwks', () => {
  it.each([
    ['a JWKS of public keys loads with the kids of the document', { keys: [rsa.publicJwk, ec.publicJwk] }, 'loaded'],
    ['a document without keys is refused', { nope: [] }, 'invalid'],
    ['a symmetric key is refused', { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 's' }] }, 'invalid'],
    ['a private key is refused', { keys: [rsa.privateJwk] }, 'invalid'],
    ['an unknown alg is refused', { keys: [{ ...rsa.publicJwk, alg: 'HS256' }] }, 'invalid'],
    ['a broken key is refused', { keys: [{ kty: 'RSA', n: 'AQAB', e: 'x' }] }, 'invalid'],
    ['encryption keys are skipped, leaving nothing', { keys: [{ ...rsa.publicJwk, use: 'enc' }] }, 'invalid'],
  ])('%s', (_name, document, kind) => {
    expect(loadJwks(document, 'jwks.json', ALL).kind).toBe(kind);
  });

  it('pins a JWK with alg to exactly that algorithm', () => {
    const loaded = loadJwks({ keys: [{ ...rsa.publicJwk, alg: 'PS256' }] }, 'jwks.json', ALL);
    expect(loaded.kind === 'loaded' && loaded.keys[0]).toMatchObject({ kid: 'r1', algorithms: ['PS256'] });
  });
});
