// The minting helpers must produce what they claim: a verifier test is only as good as its forgeries.
import { compactVerify, importJWK } from 'jose';
import { createHmac } from 'node:crypto';
import { ecKeyPair, ed25519KeyPair, rsaKeyPair } from './keys';
import { boundServiceAccountClaims, decodeClaims, hs256WithPublicKey, legacyServiceAccountClaims, signJwt, tamperPayload, unsignedJwt } from './jwt';

const header = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;

const shared = rsaKeyPair({ kid: 'k' });

describe('JWT test helpers', () => {
  it.each([
    ['an RS256 token verifies with the RSA public JWK', () => shared],
    ['a PS256 token verifies with the RSA public JWK', () => rsaKeyPair({ alg: 'PS256' })],
    ['an ES256 token verifies with the P-256 public JWK', () => ecKeyPair()],
    ['an ES384 token verifies with the P-384 public JWK', () => ecKeyPair({ curve: 'P-384' })],
    ['an EdDSA token verifies with the Ed25519 public JWK', () => ed25519KeyPair()],
  ])('%s', async (_name, pair) => {
    const key = pair();
    const token = signJwt({ sub: 'x' }, key);
    const verified = await compactVerify(token, await importJWK(key.publicJwk, key.alg), { algorithms: [key.alg] });
    expect(verified.protectedHeader).toMatchObject({ alg: key.alg, kid: key.kid });
  });

  it('puts any header in, and removes header fields set to undefined', () => {
    const token = signJwt({}, shared, { header: { jku: 'https://evil.example/jwks', kid: undefined } });
    expect(header(token)).toEqual({ alg: 'RS256', typ: 'JWT', jku: 'https://evil.example/jwks' });
  });

  it('mints alg none with an empty signature', () => {
    const token = unsignedJwt({ sub: 'x' });
    expect([header(token)['alg'], token.endsWith('.')]).toEqual(['none', true]);
  });

  it('mints HS256 keyed with the RSA public key PEM', () => {
    const key = shared;
    const token = hs256WithPublicKey({ sub: 'x' }, key);
    const [h, p, s] = token.split('.');
    expect(s).toBe(createHmac('sha256', key.publicPem).update(`${h}.${p}`).digest('base64url'));
  });

  it('tampers the payload but keeps header and signature', () => {
    const token = signJwt({ sub: 'x' }, shared);
    const tampered = tamperPayload(token, { sub: 'admin' });
    expect([tampered.split('.')[0], tampered.split('.')[2], decodeClaims(tampered)['sub']]).toEqual([token.split('.')[0], token.split('.')[2], 'admin']);
  });

  it('shapes bound and legacy service-account claims as kube-apiserver does', () => {
    const bound = boundServiceAccountClaims({ issuer: 'https://k', audiences: ['a'], namespace: 'ns', name: 'sa', uid: 'u', node: null, overrides: { jti: undefined } });
    expect(bound).toMatchObject({ iss: 'https://k', aud: ['a'], sub: 'system:serviceaccount:ns:sa', 'kubernetes.io': { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'u' } } });
    expect(['jti' in bound, 'node' in (bound['kubernetes.io'] as object)]).toEqual([false, false]);
    expect(legacyServiceAccountClaims({ namespace: 'ns', name: 'sa' })).toMatchObject({ iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:ns:sa', 'kubernetes.io/serviceaccount/namespace': 'ns' });
  });
});
