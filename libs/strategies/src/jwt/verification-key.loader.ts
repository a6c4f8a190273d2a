// Loads verification keys ONCE at startup into Node KeyObjects, pinned to the algorithms their
// type allows. PEM (public keys, certificates, or private keys whose public half is taken, as
// kube-apiserver's --service-account-key-file accepts) and JWKS documents. Nothing here runs
// per request: verification never parses PEM or JWK again.
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { algorithmsForKey, MIN_RSA_MODULUS_BITS, type JwsAlgorithm, isAsymmetricAlgorithm } from './jwt-algorithms';

export interface VerificationKey {
  /** From the JWK, or for PEM keys the Kubernetes key id (base64url SHA-256 of the DER SPKI). */
  readonly kid: string;
  readonly key: KeyObject;
  readonly algorithms: readonly JwsAlgorithm[];
}

export type KeyLoad =
  | { readonly kind: 'loaded'; readonly keys: readonly VerificationKey[] }
  | { readonly kind: 'invalid'; readonly message: string };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every key block of a PEM file; `source` names the file in error messages. */
export function loadPemKeys(pem: string, source: string, allowed: readonly JwsAlgorithm[]): KeyLoad {
  const keys: VerificationKey[] = [];
  for (const match of pem.matchAll(PEM_BLOCK)) {
    const [block, label] = match as unknown as [string, string];
    let key: KeyObject;
    try {
      key = label === 'CERTIFICATE' ? new X509Certificate(block).publicKey : createPublicKey(block);
    } catch {
      return { kind: 'invalid', message: `${source}: PEM block "${label}" is not a usable key or certificate` };
    }
    const checked = pinKey(key, kubernetesKeyId(key), undefined, allowed, source);
    if (checked.kind === 'invalid') return checked;
    keys.push(checked.key);
  }
  if (keys.length === 0) return { kind: 'invalid', message: `${source}: no PEM key or certificate found` };
  return { kind: 'loaded', keys };
}

/** A JWKS document (`{"keys":[...]}`); private and symmetric keys are refused. */
export function loadJwks(document: unknown, source: string, allowed: readonly JwsAlgorithm[]): KeyLoad {
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) return { kind: 'invalid', message: `${source}: not a JWKS document (no "keys" array)` };
  const keys: VerificationKey[] = [];
  for (const [index, jwk] of list.entries()) {
    const where = `${source}: keys[${index}]`;
    if (typeof jwk !== 'object' || jwk === null) return { kind: 'invalid', message: `${where} is not an object` };
    const { kty, d, use, alg, kid } = jwk as Record<string, unknown>;
    if (kty === 'oct') return { kind: 'invalid', message: `${where} is a symmetric key: only asymmetric keys are accepted` };
    if (d !== undefined) return { kind: 'invalid', message: `${where} is a private key: publish only public keys` };
    if (use !== undefined && use !== 'sig') continue; // encryption keys are not ours to use
    if (alg !== undefined && (typeof alg !== 'string' || !isAsymmetricAlgorithm(alg))) {
      return { kind: 'invalid', message: `${where} has unsupported alg` };
    }
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    } catch {
      return { kind: 'invalid', message: `${where} is not a usable public key` };
    }
    const checked = pinKey(key, typeof kid === 'string' ? kid : kubernetesKeyId(key), alg as JwsAlgorithm | undefined, allowed, where);
    if (checked.kind === 'invalid') return checked;
    keys.push(checked.key);
  }
  if (keys.length === 0) return { kind: 'invalid', message: `${source}: no signing key` };
  return { kind: 'loaded', keys };
}

/** kube-apiserver's key id: unpadded base64url of SHA-256 over the DER SubjectPublicKeyInfo. */
export function kubernetesKeyId(key: KeyObject): string {
  return createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('base64url');
}

function pinKey(
  key: KeyObject,
  kid: string,
  jwkAlg: JwsAlgorithm | undefined,
  allowed: readonly JwsAlgorithm[],
  where: string,
): { kind: 'ok'; key: VerificationKey } | { kind: 'invalid'; message: string } {
  const modulus = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType === 'rsa' && modulus !== undefined && modulus < MIN_RSA_MODULUS_BITS) {
    return { kind: 'invalid', message: `${where}: RSA key of ${modulus} bits, at least ${MIN_RSA_MODULUS_BITS} required` };
  }
  const byType = algorithmsForKey(key).filter((alg) => (jwkAlg === undefined || alg === jwkAlg) && allowed.includes(alg));
  if (byType.length === 0) {
    return { kind: 'invalid', message: `${where}: key type ${key.asymmetricKeyType ?? 'unknown'} allows none of the configured algorithms` };
  }
  return { kind: 'ok', key: { kid, key, algorithms: byType } };
}
