import type { PolicyEffect, ReasonCode } from '@authtrail/events';

/** What policy sees of one decision: the chain's result and the request, never a secret. */
export interface PolicyInput {
  readonly decision: 'allow' | 'deny';
  readonly strategy?: string;
  readonly user?: {
    readonly username: string;
    readonly uid?: string;
    readonly groups: readonly string[];
    readonly extra: Readonly<Record<string, readonly string[]>>;
  };
  readonly credential?: {
    readonly type: string;
    /** `hmac-sha256:<keyId>:<hex>` under the writing (first) fingerprint key. */
    readonly fingerprint?: string;
    /**
     * The fingerprint under every configured key, writing key first: a revocation made under a
     * key that is being rotated out still matches. Absent: only `fingerprint` is compared.
     */
    readonly fingerprints?: readonly string[];
    /** JWT jti, bootstrap token id, certificate serial. */
    readonly publicId?: string;
    readonly issuer?: string;
    readonly issuedAt?: Date;
    readonly expiresAt?: Date;
    readonly x509?: { readonly serial: string; readonly issuer: string; readonly notBefore: Date; readonly notAfter: Date };
    readonly passwordStorage?: 'argon2id' | 'scrypt' | 'bcrypt' | 'plaintext';
    /** A legacy service-account token (no expiry) the strategy accepted by opt-in: recorded as a warning. */
    readonly legacyToken?: boolean;
  };
  readonly request: { readonly endpoint: string; readonly sourceIp?: string; readonly tls?: boolean };
}

export type PolicyDenialReason = Extract<ReasonCode, 'policy_denied' | 'credential_revoked' | 'throttled'>;

export interface PolicyDenial {
  readonly reason: PolicyDenialReason;
  readonly message: string;
  readonly httpStatus: 401 | 429;
  readonly retryAfterSeconds?: number;
}

/** warn effects keep the allow and are recorded; a deny turns the answer into a 401 (or 429). */
export interface PolicyVerdict {
  readonly version: number;
  readonly effects: readonly PolicyEffect[];
  readonly deny?: PolicyDenial;
}
