// Mints JWTs for tests, with every claim and header overridable, including the forgeries a JWT
// verifier must refuse: `alg: none`, HS256 keyed with the RSA public key, a `jku` pointing
// elsewhere, an embedded `jwk`, a tampered payload. Signing uses node:crypto directly so any
// header can be produced, valid or not.
import { constants, createHmac, randomUUID, sign } from 'node:crypto';
import type { TestKeyPair } from './keys';

export type Claims = Record<string, unknown>;
export type Header = Record<string, unknown>;

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export interface SignOptions {
  /** Merged over `{alg: key.alg, typ: 'JWT', kid: key.kid}`; a key set to undefined is removed. */
  readonly header?: Header;
}

/** A correctly signed compact JWS over `claims`. */
export function signJwt(claims: Claims, key: TestKeyPair, options: SignOptions = {}): string {
  const header = withoutUndefined({ alg: key.alg, typ: 'JWT', kid: key.kid, ...options.header });
  const signingInput = `${base64urlJson(header)}.${base64urlJson(claims)}`;
  return `${signingInput}.${signWith(String(header['alg'] ?? key.alg), key, signingInput)}`;
}

/** `alg: none` with an empty signature (RFC 7519 §6 unsecured JWT). */
export function unsignedJwt(claims: Claims, header: Header = {}): string {
  return `${base64urlJson({ alg: 'none', typ: 'JWT', ...header })}.${base64urlJson(claims)}.`;
}

/**
 * The classic key-confusion forgery: HS256 with the issuer's PUBLIC key (its PEM text) as the
 * HMAC secret. A verifier that lets the token choose the algorithm would accept it.
 */
export function hs256WithPublicKey(claims: Claims, key: TestKeyPair, header: Header = {}): string {
  const fullHeader = { alg: 'HS256', typ: 'JWT', kid: key.kid, ...header };
  const signingInput = `${base64urlJson(fullHeader)}.${base64urlJson(claims)}`;
  return `${signingInput}.${createHmac('sha256', key.publicPem).update(signingInput).digest('base64url')}`;
}

/** The same header and signature over a different payload (claims merged over the original). */
export function tamperPayload(token: string, changes: Claims): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  return `${header}.${base64urlJson({ ...claims, ...changes })}.${signature}`;
}

/** Decoded claims of a compact JWT (no verification). */
export function decodeClaims(token: string): Claims {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Claims;
}

export interface BoundServiceAccountOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly pod?: { name: string; uid: string } | null;
  readonly node?: { name: string; uid: string } | null;
  readonly jti?: string;
  /** Seconds from now; negative for an expired token. */
  readonly expiresIn?: number;
  /** Seconds from now for nbf/iat (positive: not valid yet). */
  readonly notBeforeIn?: number;
  /** Merged last: any claim can be replaced or set to undefined (removed). */
  readonly overrides?: Claims;
}

/** Claims of a TokenRequest (bound) token as kube-apiserver issues them. */
export function boundServiceAccountClaims(options: BoundServiceAccountOptions): Claims {
  const now = nowSeconds();
  const namespace = options.namespace ?? 'default';
  const name = options.name ?? 'builder';
  const pod = options.pod === undefined ? { name: 'builder-7d9f', uid: randomUUID() } : options.pod;
  const node = options.node === undefined ? { name: 'node-1', uid: randomUUID() } : options.node;
  const notBefore = now + (options.notBeforeIn ?? 0);
  return withoutUndefined({
    aud: [...options.audiences],
    exp: now + (options.expiresIn ?? 3600),
    iat: notBefore,
    nbf: notBefore,
    iss: options.issuer,
    jti: options.jti ?? randomUUID(),
    'kubernetes.io': withoutUndefined({
      namespace,
      serviceaccount: { name, uid: options.uid ?? randomUUID() },
      pod: pod ?? undefined,
      node: node ?? undefined,
    }),
    sub: `system:serviceaccount:${namespace}:${name}`,
    ...options.overrides,
  });
}

export interface LegacyServiceAccountOptions {
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly secretName?: string;
  readonly overrides?: Claims;
}

/** Claims of a legacy Secret-based token (no exp, no aud, issuer `kubernetes/serviceaccount`). */
export function legacyServiceAccountClaims(options: LegacyServiceAccountOptions = {}): Claims {
  const namespace = options.namespace ?? 'default';
  const name = options.name ?? 'builder';
  return withoutUndefined({
    iss: 'kubernetes/serviceaccount',
    'kubernetes.io/serviceaccount/namespace': namespace,
    'kubernetes.io/serviceaccount/secret.name': options.secretName ?? `${name}-token-x7k2p`,
    'kubernetes.io/serviceaccount/service-account.name': name,
    'kubernetes.io/serviceaccount/service-account.uid': options.uid ?? randomUUID(),
    sub: `system:serviceaccount:${namespace}:${name}`,
    ...options.overrides,
  });
}

export interface OidcClaimsOptions {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly sub?: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly groups?: readonly string[];
  readonly expiresIn?: number;
  readonly notBeforeIn?: number;
  readonly overrides?: Claims;
}

/** Claims shaped like an OpenID Connect id-token. */
export function oidcClaims(options: OidcClaimsOptions): Claims {
  const now = nowSeconds();
  const notBefore = now + (options.notBeforeIn ?? 0);
  return withoutUndefined({
    iss: options.issuer,
    aud: typeof options.audience === 'string' ? options.audience : [...options.audience],
    sub: options.sub ?? 'user-1234',
    email: options.email ?? 'jane@example.com',
    email_verified: options.emailVerified ?? true,
    groups: options.groups ? [...options.groups] : ['developers'],
    iat: notBefore,
    nbf: notBefore,
    exp: now + (options.expiresIn ?? 3600),
    jti: randomUUID(),
    ...options.overrides,
  });
}

function signWith(alg: string, key: TestKeyPair, signingInput: string): string {
  const data = Buffer.from(signingInput);
  const digest = alg.endsWith('384') ? 'sha384' : alg.endsWith('512') ? 'sha512' : 'sha256';
  if (alg === 'EdDSA') return sign(null, data, key.privateKey).toString('base64url');
  if (alg.startsWith('ES')) return sign(digest, data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  if (alg.startsWith('PS')) {
    return sign(digest, data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }).toString('base64url');
  }
  if (alg.startsWith('RS')) return sign(digest, data, key.privateKey).toString('base64url');
  // Any other header alg (none, HS256, garbage): sign as the key's own algorithm, so only the
  // header lies. Verifiers must refuse on the header alone.
  return signWith(key.alg, key, signingInput);
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
