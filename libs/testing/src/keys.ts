// Test key material, generated fresh per run (never pasted): RSA / EC / Ed25519 key pairs as
// KeyObjects, PEM and JWK, and self-signed certificates (node-forge, RSA) for TLS servers and
// certificate-wrapped public keys.
import { createHash, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export type TestJwsAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

export interface TestKeyPair {
  readonly kid: string;
  /** The algorithm tokens signed with this key use by default. */
  readonly alg: TestJwsAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** PKCS#8 */
  readonly privatePem: string;
  /** SPKI */
  readonly publicPem: string;
  /** Public JWK with kid, alg and use: what a JWKS endpoint serves. */
  readonly publicJwk: JsonWebKey & { kid: string; alg: string; use: 'sig' };
  /** Private JWK with kid, alg and use: what oidc-provider's `jwks` option takes. */
  readonly privateJwk: JsonWebKey & { kid: string; alg: string; use: 'sig' };
}

export function rsaKeyPair(options: { kid?: string; bits?: number; alg?: 'RS256' | 'RS384' | 'RS512' | 'PS256' } = {}): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: options.bits ?? 2048 });
  return describe(privateKey, publicKey, options.alg ?? 'RS256', options.kid);
}

const CURVE_ALG = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as const;

export function ecKeyPair(options: { kid?: string; curve?: keyof typeof CURVE_ALG } = {}): TestKeyPair {
  const curve = options.curve ?? 'P-256';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return describe(privateKey, publicKey, CURVE_ALG[curve], options.kid);
}

export function ed25519KeyPair(options: { kid?: string } = {}): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return describe(privateKey, publicKey, 'EdDSA', options.kid);
}

/** A JWKS document of public keys. */
export function jwksOf(...pairs: readonly TestKeyPair[]): { keys: TestKeyPair['publicJwk'][] } {
  return { keys: pairs.map((p) => p.publicJwk) };
}

/** kube-apiserver's key id for a public key (base64url SHA-256 of the DER SPKI). */
export function kubernetesKeyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('base64url');
}

export interface CertificateOptions {
  readonly commonName?: string;
  readonly ipAddresses?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly days?: number;
}

/** A self-signed X.509 certificate (PEM) for an RSA key pair; usable as its own CA bundle. */
export function selfSignedCertificate(pair: TestKeyPair, options: CertificateOptions = {}): string {
  if (pair.privateKey.asymmetricKeyType !== 'rsa') throw new TypeError('selfSignedCertificate needs an RSA key pair (node-forge)');
  const privateKey = forge.pki.privateKeyFromPem(pair.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string);
  const publicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ format: 'pem', type: 'spki' }) as string);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + (options.days ?? 1) * 86_400_000);
  const subject = [{ name: 'commonName', value: options.commonName ?? 'authtrail-test' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyCertSign: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function describe(privateKey: KeyObject, publicKey: KeyObject, alg: TestJwsAlgorithm, kid?: string): TestKeyPair {
  const id = kid ?? `test-${randomBytes(6).toString('hex')}`;
  return {
    kid: id,
    alg,
    privateKey,
    publicKey,
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid: id, alg, use: 'sig' },
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid: id, alg, use: 'sig' },
  };
}
