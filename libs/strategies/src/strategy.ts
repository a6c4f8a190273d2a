// The strategy contract (DESIGN §3.1). One method, a typed outcome: "not mine" is a value,
// not an exception, and a switch over the outcome is exhaustive.
import type { X509Certificate } from 'node:crypto';
import type { ReasonCode } from '@authtrail/events';

export type { ReasonCode };

/** What a strategy may look at. Built once per request by the authn service. */
export interface RequestView {
  /** Lower-cased header names. Repeated headers are joined as Node does. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Peer certificate chain, leaf first (from the TLS socket or a trusted proxy header). */
  readonly peerCertificates: readonly X509Certificate[];
  /** Client address after resolving `trustedProxies`. */
  readonly sourceIp: string;
  readonly method: string;
  readonly path: string;
  readonly userAgent?: string;
  /** Audiences the caller asked for (TokenReview `spec.audiences`); empty means "the service's own". */
  readonly audiences: readonly string[];
  /** Whether the hop that carried the credential was TLS (or a trusted proxy says it was). */
  readonly tls: boolean;
}

export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/**
 * What the event may say about a credential. Never the secret: `secretForFingerprint` is the
 * input the authn service hashes with HMAC into the fingerprint and then drops.
 */
export interface CredentialDescription {
  readonly type: CredentialType;
  readonly secretForFingerprint?: string;
  /** The fingerprint itself, when already computed (the cache keeps this instead of the secret). */
  readonly fingerprint?: string;
  /**
   * The fingerprint under every configured key, writing key first (`fingerprint` is the first):
   * revocations made before a key rotation still match. Kept by the cache with `fingerprint`.
   */
  readonly fingerprints?: readonly string[];
  /** A non-secret identifier: JWT jti, bootstrap token id, certificate serial, static-token uid. */
  readonly publicId?: string;
  readonly issuer?: string;
  readonly subject?: string;
  readonly audiences?: readonly string[];
  readonly issuedAt?: Date;
  readonly expiresAt?: Date;
  /**
   * service-account only: a legacy Secret token (issuer `kubernetes/serviceaccount`, no expiry,
   * not bound to a pod), accepted because the strategy opted in; policy records a warning.
   */
  readonly legacyToken?: true;
  /** basic-auth only: how the password is stored in the file (`plaintext` is flagged by policy). */
  readonly passwordStorage?: 'argon2id' | 'scrypt' | 'bcrypt' | 'plaintext';
  readonly x509?: {
    readonly serial: string;
    readonly subject: string;
    readonly issuer: string;
    readonly notBefore: Date;
    readonly notAfter: Date;
    readonly sha256: string;
  };
}

/**
 * The credential with its fingerprint computed and `secretForFingerprint` dropped (as it is
 * when there is no secret): what the cache keeps and what the authn service records.
 * `candidates` (the fingerprinter's) gives the fingerprint under every configured key, the
 * writing key first; its first entry is then the fingerprint, so each key costs one HMAC.
 */
export function fingerprinted(
  credential: CredentialDescription,
  fingerprint: (secret: string) => string,
  candidates?: (secret: string) => readonly string[],
): CredentialDescription {
  const { secretForFingerprint, ...rest } = credential;
  if (!secretForFingerprint) return credential;
  const fingerprints = rest.fingerprints ?? candidates?.(secretForFingerprint);
  return {
    ...rest,
    fingerprint: rest.fingerprint ?? fingerprints?.[0] ?? fingerprint(secretForFingerprint),
    ...(fingerprints && fingerprints.length > 0 ? { fingerprints } : {}),
  };
}

export type CredentialType =
  | 'static-token'
  | 'bootstrap-token'
  | 'basic-auth'
  | 'x509'
  | 'service-account'
  | 'oidc'
  | 'anonymous';

export type AuthOutcome =
  | { readonly kind: 'authenticated'; readonly user: UserInfo; readonly credential: CredentialDescription; readonly audiences?: readonly string[] }
  | { readonly kind: 'abstained' }
  | {
      readonly kind: 'rejected';
      readonly reason: ReasonCode;
      /** Safe to show the caller and to log: never contains the credential. */
      readonly message: string;
      readonly credential?: CredentialDescription;
      /**
       * The username the credential claimed, when it cannot be a secret: an account the strategy
       * knows (basic-auth: the name is in the password file; static and bootstrap tokens: from
       * the file or the Secret) or a name from a structured credential (certificate CN, JWT
       * `sub`). Recorded in clear on the failure event.
       */
      readonly claimedUsername?: string;
      /**
       * A name a person typed that matches no account (basic-auth: not in the password file).
       * People type passwords into username fields: it is only ever hashed (the event keeps
       * `claimedUsernameHash`), never stored, logged or put in `credential`.
       */
      readonly typedUsername?: string;
    }
  | {
      readonly kind: 'errored';
      readonly reason: ReasonCode;
      readonly message: string;
      /** The credential another strategy described, when a chain's error decided (first-match.ts). */
      readonly credential?: CredentialDescription;
    };

export interface Strategy {
  /** Strategy id as in DESIGN §3.2 (`static-token`, `oidc`, ...); a chain may hold two of one id. */
  readonly id: string;
  authenticate(request: RequestView): Promise<AuthOutcome>;
  /** Releases watchers, timers and sockets. */
  close?(): Promise<void>;
}

/** One line of the attempt trace recorded in the decision event. */
export interface Attempt {
  readonly strategy: string;
  readonly outcome: AuthOutcome['kind'];
  readonly reason?: ReasonCode;
}
