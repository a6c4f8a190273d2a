// `oidc`: OpenID Connect id-tokens of one issuer, like one `AuthenticationConfiguration.jwt[]`
// item of kube-apiserver. Configure the strategy once per issuer; tokens of other issuers
// abstain, so several oidc strategies chain.
//
// Keys: discovery, then the issuer's JWKS through jose's remote key set (cached; an unknown kid
// triggers a refetch at most once per cooldown, so a rotated-in key works as soon as the issuer
// publishes it, and an old key keeps working while the issuer still serves it). Discovery or
// JWKS unreachable → `errored` / upstream_unavailable, which the cache decorator never stores.
import { readFile } from 'node:fs/promises';
import type { ReasonCode } from '@authtrail/events';
import type { AuthOutcome, CredentialDescription, RequestView, Strategy } from '../strategy';
import { systemClock, type StrategyDeps } from '../shared/strategy-deps';
import { bearerJwt, checkAlgorithm, jwtCredential } from '../jwt/bearer-jwt';
import type { JwtClaims } from '../jwt/compact-jwt.parser';
import { audiencesOf, bounded, checkTimes, intersect, stringClaim } from '../jwt/jwt-claims';
import { remoteKeyResolver, type KeyResolver } from '../jwt/key-resolver';
import { verifySignature } from '../jwt/jwt-signature.verifier';
import { createHttpFetch, type Fetch } from '../jwt/http-fetch';
import { maxTokenLifetimeSeconds } from '../jwt/token-lifetime.config';
import { clockSkewSeconds, OIDC_DEFAULTS, type OidcConfig } from './oidc.config';
import { discover } from './oidc-discovery';
import { mapClaims } from './oidc-claims.mapper';

export interface OidcDeps extends StrategyDeps {
  /** Default: node:http(s) trusting the configured CA. Tests pass a counting fetch. */
  readonly fetch?: Fetch;
  /** Tests shorten these; operators get OIDC_DEFAULTS. */
  readonly jwksCooldownMs?: number;
  readonly jwksCacheMaxAgeMs?: number;
  readonly discoveryRetryMs?: number;
}

/** Thrown at startup only (unreadable CA file, conflicting keys). */
export class OidcConfigError extends Error {
  override readonly name = 'OidcConfigError';
}

type KeysState =
  | { readonly kind: 'ready'; readonly resolver: KeyResolver }
  | { readonly kind: 'failed'; readonly reason: ReasonCode; readonly message: string; readonly at: number };

/** `raw` has passed `configSchema`; defaults are applied here. Discovery starts at once, in the background. */
export async function createOidcStrategy(config: OidcConfig, deps: OidcDeps = {}): Promise<Strategy> {
  const now = deps.now ?? systemClock;
  const algorithms = config.algorithms ?? OIDC_DEFAULTS.algorithms;
  const skewSeconds = clockSkewSeconds(config.clockSkew);
  const maxLifetimeSeconds = maxTokenLifetimeSeconds(config.maxTokenLifetime);
  const retryMs = deps.discoveryRetryMs ?? OIDC_DEFAULTS.discoveryRetryMs;
  const fetch = deps.fetch ?? createHttpFetch({ ...(await certificateAuthorityOf(config)), timeoutMs: OIDC_DEFAULTS.fetchTimeoutMs });
  const issuerUrl = config.issuer.url;

  let state: KeysState | undefined;
  let pending: Promise<KeysState> | undefined;
  // Single-flight: concurrent requests during discovery share one fetch.
  const keys = (): Promise<KeysState> => {
    if (state?.kind === 'ready') return Promise.resolve(state);
    if (state?.kind === 'failed' && Date.now() - state.at < retryMs) return Promise.resolve(state);
    pending ??= discover(issuerUrl, config.issuer.discoveryURL, fetch, OIDC_DEFAULTS.fetchTimeoutMs)
      .then((discovery): KeysState => {
        if (discovery.kind === 'failed') return { ...discovery, at: Date.now() };
        const resolver = remoteKeyResolver(discovery.jwksUri, {
          fetch,
          cooldownMs: deps.jwksCooldownMs ?? OIDC_DEFAULTS.jwksCooldownMs,
          cacheMaxAgeMs: deps.jwksCacheMaxAgeMs ?? OIDC_DEFAULTS.jwksCacheMaxAgeMs,
          timeoutMs: OIDC_DEFAULTS.fetchTimeoutMs,
          allowed: algorithms,
        });
        return { kind: 'ready', resolver };
      })
      .then((next) => {
        state = next;
        pending = undefined;
        return next;
      });
    return pending;
  };
  void keys();

  const rejected = (reason: ReasonCode, message: string, credential: CredentialDescription, claims: JwtClaims): AuthOutcome => {
    const sub = stringClaim(claims, 'sub');
    return { kind: 'rejected', reason, message, credential, ...(sub ? { claimedUsername: bounded(sub) } : {}) };
  };

  return {
    id: 'oidc',
    async authenticate(request: RequestView): Promise<AuthOutcome> {
      const presented = bearerJwt(request.headers);
      if (presented.kind === 'none') return { kind: 'abstained' };
      if (presented.kind === 'malformed') return { kind: 'rejected', reason: 'malformed_credentials', message: presented.message };
      const { token, header, claims } = presented;
      // Not our issuer: another oidc (or service-account) strategy may own it.
      if (stringClaim(claims, 'iss') !== issuerUrl) return { kind: 'abstained' };
      const credential = jwtCredential('oidc', token, claims);

      const algorithm = checkAlgorithm(header.alg, algorithms);
      if (algorithm.kind === 'refused') return rejected(algorithm.reason, algorithm.message, credential, claims);
      const keyState = await keys();
      if (keyState.kind === 'failed') return { kind: 'errored', reason: keyState.reason, message: keyState.message };
      const signature = await verifySignature(token, algorithm.alg, header.kid, keyState.resolver);
      if (signature.kind === 'errored') return { kind: 'errored', reason: signature.reason, message: signature.message };
      if (signature.kind === 'rejected') return rejected(signature.reason, signature.message, credential, claims);

      const times = checkTimes(claims, Math.floor(now().getTime() / 1000), { leewaySeconds: skewSeconds, requireExp: true, maxLifetimeSeconds });
      if (times.kind === 'failed') return rejected(times.reason, times.message, credential, claims);

      const tokenAudiences = audiencesOf(claims);
      if (tokenAudiences === undefined) return rejected('malformed_credentials', 'aud is neither a string nor a list of strings', credential, claims);
      let granted = intersect(tokenAudiences, config.issuer.audiences);
      // A caller asking for specific audiences (TokenReview spec.audiences) gets only those.
      if (request.audiences.length > 0) granted = intersect(granted, request.audiences);
      if (granted.length === 0) return rejected('audience_mismatch', 'token is not meant for an accepted audience', credential, claims);

      const mapped = mapClaims(claims, config);
      if (mapped.kind === 'failed') return rejected(mapped.reason, mapped.message, credential, claims);
      return { kind: 'authenticated', user: mapped.user, credential: jwtCredential('oidc', token, claims, granted), audiences: granted };
    },
  };
}

async function certificateAuthorityOf(config: OidcConfig): Promise<{ ca?: string }> {
  const { certificateAuthority, certificateAuthorityFile } = config.issuer;
  if (certificateAuthority !== undefined && certificateAuthorityFile !== undefined) {
    throw new OidcConfigError('issuer: set certificateAuthority or certificateAuthorityFile, not both');
  }
  if (certificateAuthority !== undefined) return { ca: certificateAuthority };
  if (certificateAuthorityFile === undefined) return {};
  try {
    return { ca: await readFile(certificateAuthorityFile, 'utf8') };
  } catch (error) {
    throw new OidcConfigError(`issuer.certificateAuthorityFile: cannot read ${certificateAuthorityFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
