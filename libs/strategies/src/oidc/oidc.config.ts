// Config of the `oidc` strategy, shaped like one item of Kubernetes
// `AuthenticationConfiguration.jwt[]`; validated by the registry against `configSchema`.
// Defaults live in OIDC_DEFAULTS only.
import type { JsonSchema } from '../shared/json-schema';
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from '../jwt/jwt-algorithms';
import { maxTokenLifetimeSchema } from '../jwt/token-lifetime.config';

export interface OidcClaimMapping {
  readonly claim: string;
  readonly prefix: string;
}

export interface OidcConfig {
  readonly id: 'oidc';
  readonly issuer: {
    /** Must equal the tokens' `iss` and the discovery document's `issuer`, byte for byte. */
    readonly url: string;
    readonly audiences: readonly string[];
    /** Where to read the discovery document when not at `<url>/.well-known/openid-configuration`. */
    readonly discoveryURL?: string;
    /** PEM CA bundle trusted for discovery and JWKS (the PEM text itself, as in Kubernetes). */
    readonly certificateAuthority?: string;
    /** Same, read from a file at startup. */
    readonly certificateAuthorityFile?: string;
  };
  readonly claimMappings: {
    readonly username: OidcClaimMapping;
    readonly groups?: OidcClaimMapping;
    readonly uid?: { readonly claim: string };
    /** Extra attributes: `key` (domain-prefixed, lower case) ← a string or string-list `claim`. */
    readonly extra?: readonly { readonly key: string; readonly claim: string }[];
  };
  /** Each claim must be present and equal to `requiredValue`. */
  readonly claimValidationRules?: readonly { readonly claim: string; readonly requiredValue: string }[];
  readonly algorithms?: readonly JwsAlgorithm[];
  /** Tolerated clock difference with the issuer on exp/nbf: `0`, `1s`..`60s` or `1m`. */
  readonly clockSkew?: string;
  /** Longest accepted token lifetime (`365d` by default; see token-lifetime.config.ts). */
  readonly maxTokenLifetime?: string;
}

export const OIDC_DEFAULTS = {
  algorithms: ASYMMETRIC_ALGORITHMS,
  clockSkewSeconds: 15,
  // Unknown kids refetch the JWKS at most this often (rotation is picked up within it); the
  // whole set is refetched after cacheMaxAge, so removed keys stop working by then.
  jwksCooldownMs: 10_000,
  jwksCacheMaxAgeMs: 10 * 60_000,
  fetchTimeoutMs: 5_000,
  // After a failed discovery, requests answer `errored` at once for this long before retrying.
  discoveryRetryMs: 10_000,
} as const;

/** https anywhere; plain http only to loopback hosts (development, tests). */
export const HTTPS_OR_LOOPBACK_URL = '^(https://[^?#]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]{1,5})?(/[^?#]*)?)$';
export const CLOCK_SKEW_PATTERN = '^(0|([0-9]|[1-5][0-9]|60)s|1m)$';

const claimName: JsonSchema = { type: 'string', minLength: 1, maxLength: 256 };
const mapping = (what: string): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required: ['claim', 'prefix'],
  properties: { claim: claimName, prefix: { type: 'string', maxLength: 256, description: `Prepended to the ${what} (may be "").` } },
});

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'issuer', 'claimMappings'],
  properties: {
    id: { const: 'oidc' },
    issuer: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'audiences'],
      properties: {
        url: { type: 'string', pattern: HTTPS_OR_LOOPBACK_URL, description: 'Issuer URL: equals iss and the discovery issuer.' },
        audiences: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 }, description: 'Accepted aud values (any match).' },
        discoveryURL: { type: 'string', pattern: HTTPS_OR_LOOPBACK_URL, description: 'Discovery document URL, when not under the issuer URL.' },
        certificateAuthority: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----', description: 'PEM CA bundle for discovery and JWKS.' },
        certificateAuthorityFile: { type: 'string', minLength: 1, description: 'File with that PEM CA bundle.' },
      },
    },
    claimMappings: {
      type: 'object',
      additionalProperties: false,
      required: ['username'],
      properties: {
        username: mapping('username'),
        groups: mapping('each group'),
        uid: { type: 'object', additionalProperties: false, required: ['claim'], properties: { claim: claimName } },
        extra: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['key', 'claim'],
            // Kubernetes requires domain-prefixed, lower-case extra keys.
            properties: { key: { type: 'string', pattern: '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?\\.[a-z0-9-]+/[a-z0-9._/-]+$' }, claim: claimName },
          },
        },
      },
    },
    claimValidationRules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['claim', 'requiredValue'],
        properties: { claim: claimName, requiredValue: { type: 'string' } },
      },
    },
    algorithms: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...ASYMMETRIC_ALGORITHMS] }, description: 'JWS algorithm allow-list (default: all asymmetric).' },
    clockSkew: { type: 'string', pattern: CLOCK_SKEW_PATTERN, description: 'Clock skew on exp/nbf/iat, at most 60s (default 15s).' },
    maxTokenLifetime: maxTokenLifetimeSchema,
  },
};

/** `clockSkew` (already schema-checked) in seconds. */
export function clockSkewSeconds(clockSkew: string | undefined): number {
  if (clockSkew === undefined) return OIDC_DEFAULTS.clockSkewSeconds;
  if (clockSkew === '1m') return 60;
  return clockSkew === '0' ? 0 : Number.parseInt(clockSkew, 10);
}
