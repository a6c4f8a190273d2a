// Config of the `service-account` strategy (kube-apiserver --service-account-* flags), validated
// by the registry against `configSchema`. Defaults live in SERVICE_ACCOUNT_DEFAULTS only.
import type { JsonSchema } from '../shared/json-schema';
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from '../jwt/jwt-algorithms';
import { maxTokenLifetimeSchema } from '../jwt/token-lifetime.config';

export const LEGACY_SERVICE_ACCOUNT_ISSUER = 'kubernetes/serviceaccount';

export interface ServiceAccountConfig {
  readonly id: 'service-account';
  /** Accepted `iss` values of bound tokens (--service-account-issuer). */
  readonly issuers: readonly string[];
  /** PEM files: public keys, certificates, or private keys (only the public half is kept). */
  readonly keyFiles?: readonly string[];
  /** A JWKS document on disk, imported once at startup. */
  readonly jwksFile?: string;
  /** A JWKS served over HTTP(S) (the cluster's /openid/v1/jwks), cached, refetched on unknown kids. */
  readonly jwksUrl?: string;
  /** PEM CA bundle trusted for `jwksUrl`. */
  readonly jwksCertificateAuthorityFile?: string;
  /** The service's own audiences (--api-audiences); default: `issuers`. */
  readonly audiences?: readonly string[];
  /** Allow-list, intersected with what each key's type can verify. */
  readonly algorithms?: readonly JwsAlgorithm[];
  /**
   * Accept legacy Secret-based tokens (issuer `kubernetes/serviceaccount`, no expiry, bound to
   * no pod). Off by default; every accepted one is recorded with a policy warning.
   */
  readonly acceptLegacyTokens?: boolean;
  /** Longest accepted token lifetime (`365d` by default; see token-lifetime.config.ts). */
  readonly maxTokenLifetime?: string;
  /** YAML/JSON list of existing accounts `{namespace, name, uid}`; reloaded on change. */
  readonly serviceAccountsFile?: string;
  /** Clock skew tolerated on exp/nbf, in seconds. */
  readonly leewaySeconds?: number;
  /** Stat fallback period for reloads of `serviceAccountsFile`. */
  readonly reloadIntervalMs?: number;
}

export const SERVICE_ACCOUNT_DEFAULTS = {
  algorithms: ASYMMETRIC_ALGORITHMS,
  // Legacy tokens never expire and survive the pod that used them: opt-in only. Kubernetes
  // stopped creating them in 1.24 (LegacyServiceAccountTokenNoAutoGeneration).
  acceptLegacyTokens: false,
  // kube-apiserver's jwt.DefaultLeeway.
  leewaySeconds: 60,
  reloadIntervalMs: 2_000,
  // Unknown kids refetch the JWKS at most this often; the whole set is refetched after cacheMaxAge.
  jwksCooldownMs: 10_000,
  jwksCacheMaxAgeMs: 10 * 60_000,
  jwksTimeoutMs: 5_000,
} as const;

const stringList = (description: string): JsonSchema => ({ type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description });

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'issuers'],
  properties: {
    id: { const: 'service-account' },
    issuers: stringList('Accepted iss values of bound tokens (--service-account-issuer).'),
    keyFiles: stringList('PEM public keys / certificates (several keys per file allowed), read once at start.'),
    jwksFile: { type: 'string', minLength: 1, description: 'JWKS document, read once at start.' },
    jwksUrl: { type: 'string', pattern: '^https?://', description: 'JWKS URL (e.g. https://kubernetes.default.svc/openid/v1/jwks), cached.' },
    jwksCertificateAuthorityFile: { type: 'string', minLength: 1, description: 'PEM CA bundle for jwksUrl.' },
    audiences: stringList('The service audiences (--api-audiences); default: issuers.'),
    algorithms: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...ASYMMETRIC_ALGORITHMS] }, description: 'JWS algorithm allow-list (default: all asymmetric).' },
    acceptLegacyTokens: { type: 'boolean', description: 'Accept legacy Secret tokens (no expiry); default false. Each use records a policy warning.' },
    maxTokenLifetime: maxTokenLifetimeSchema,
    serviceAccountsFile: { type: 'string', minLength: 1, description: 'Existing accounts [{namespace,name,uid}]; reloaded on change.' },
    leewaySeconds: { type: 'integer', minimum: 0, maximum: 300, description: 'Clock skew on exp/nbf (default 60).' },
    reloadIntervalMs: { type: 'integer', minimum: 100, maximum: 3_600_000, description: 'Stat fallback period for serviceAccountsFile reloads (default 2000).' },
  },
};
