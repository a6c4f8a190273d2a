import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

export interface ServiceAccountTokenRequest {
  readonly privateKey: KeyObject;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly ttlMs: number;
  readonly pod?: { readonly name: string; readonly uid: string };
  readonly now: Date;
}

/** Algorithm from the key type: RSA signs RS256, P-256 ES256 (what kube-apiserver uses). */
export function signingAlgorithm(key: KeyObject): 'RS256' | 'ES256' {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`unsupported service-account signing key: ${key.asymmetricKeyType} (use RSA or EC P-256)`);
}

/** A bound service-account token shaped like the ones kube-apiserver issues (TokenRequest). */
export async function mintServiceAccountToken(request: ServiceAccountTokenRequest): Promise<string> {
  const issuedAt = Math.floor(request.now.getTime() / 1000);
  const kubernetes: Record<string, unknown> = {
    namespace: request.namespace,
    serviceaccount: { name: request.name, uid: request.uid },
  };
  if (request.pod) kubernetes['pod'] = request.pod;
  return new SignJWT({ 'kubernetes.io': kubernetes })
    .setProtectedHeader({ alg: signingAlgorithm(request.privateKey), typ: 'JWT' })
    .setIssuer(request.issuer)
    .setSubject(`system:serviceaccount:${request.namespace}:${request.name}`)
    .setAudience([...request.audiences])
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + Math.floor(request.ttlMs / 1000))
    .setJti(randomUUID())
    .sign(request.privateKey);
}
