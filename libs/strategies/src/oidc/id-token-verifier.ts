// The part of an OpenID Connect id-token check that does not depend on how claims become a user:
// bearer JWT of this issuer, pinned algorithm, keys by discovery + JWKS, signature, exp/nbf/iat,
// audiences. Shared by the `oidc` strategy and the JWT authenticators of a Kubernetes
// AuthenticationConfiguration file (kube-authentication-config/).
//
// Keys: discovery, then the issuer's JWKS through jose's remote key set (cached; an unknown kid
// triggers a refetch at most once per cooldown, so a rotated-in key works as soon as the issuer
// publishes it, and an old key keeps working while the issuer still serves it). Discovery or
// JWKS unreachable → `errored` / upstream_unavailable, which the cache decorator never stores.
import type { ReasonCode } from '@authtrail/events';
import type { AuthOutcome, RequestView } from '../strategy';
import type { StrategyDeps } from '../shared/strategy-deps';
import { systemClock } from '../shared/strategy-deps';
import { bearerJwt, checkAlgorithm, jwtCredential } from '../jwt/bearer-jwt';
import type { JwtClaims } from '../jwt/compact-jwt.parser';
import type { JwsAlgorithm } from '../jwt/jwt-algorithms';
import { audiencesOf, bounded, checkTimes, intersect, stringClaim } from '../jwt/jwt-claims';
import { remoteKeyResolver, type KeyResolver } from '../jwt/key-resolver';
import { verifySignature } from '../jwt/jwt-signature.verifier';
import type { Fetch } from '../jwt/http-fetch';
import { OIDC_DEFAULTS } from './oidc.config';
import { discover } from './oidc-discovery';

export interface OidcDeps extends StrategyDeps {
  /** Default: node:http(s) trusting the configured CA. Tests pass a counting fetch. */
  readonly fetch?: Fetch;
  /** Tests shorten these; operators get OIDC_DEFAULTS. */
  readonly jwksCooldownMs?: number;
  readonly jwksCacheMaxAgeMs?: number;
  readonly discoveryRetryMs?: number;
}

export interface IdTokenVerifierOptions {
  /** Must equal the tokens' `iss` and the discovery document's `issuer`, byte for byte. */
  readonly issuerUrl: string;
  readonly discoveryURL?: string;
  /** Accepted `aud` values (any match). */
  readonly audiences: readonly string[];
  readonly algorithms: readonly JwsAlgorithm[];
  readonly skewSeconds: number;
  readonly maxLifetimeSeconds: number;
  /** Fetches discovery and JWKS (trusting the issuer's CA). */
  readonly fetch: Fetch;
}

export type IdTokenCheck =
  | { readonly kind: 'verified'; readonly token: string; readonly claims: JwtClaims; readonly audiences: readonly string[] }
  /** Abstained (no JWT, another issuer), rejected or errored: the strategy answers this. */
  | { readonly kind: 'decided'; readonly outcome: AuthOutcome };

export interface IdTokenVerifier {
  check(request: RequestView): Promise<IdTokenCheck>;
}

type KeysState =
  | { readonly kind: 'ready'; readonly resolver: KeyResolver }
  | { readonly kind: 'failed'; readonly reason: ReasonCode; readonly message: string; readonly at: number };

/** Discovery starts at once, in the background. */
export function createIdTokenVerifier(options: IdTokenVerifierOptions, deps: OidcDeps = {}): IdTokenVerifier {
  const now = deps.now ?? systemClock;
  const { issuerUrl, algorithms, fetch } = options;
  const retryMs = deps.discoveryRetryMs ?? OIDC_DEFAULTS.discoveryRetryMs;
  let state: KeysState | undefined;
  let pending: Promise<KeysState> | undefined;
  // Single-flight: concurrent requests during discovery share one fetch.
  const keys = (): Promise<KeysState> => {
    if (state?.kind === 'ready') return Promise.resolve(state);
    if (state?.kind === 'failed' && Date.now() - state.at < retryMs) return Promise.resolve(state);
    pending ??= discover(issuerUrl, options.discoveryURL, fetch, OIDC_DEFAULTS.fetchTimeoutMs)
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

  const decided = (outcome: AuthOutcome): IdTokenCheck => ({ kind: 'decided', outcome });
  return {
    async check(request) {
      const presented = bearerJwt(request.headers);
      if (presented.kind === 'none') return decided({ kind: 'abstained' });
      if (presented.kind === 'malformed') return decided({ kind: 'rejected', reason: 'malformed_credentials', message: presented.message });
      const { token, header, claims } = presented;
      // Not our issuer: another oidc (or service-account) strategy may own it.
      if (stringClaim(claims, 'iss') !== issuerUrl) return decided({ kind: 'abstained' });
      const algorithm = checkAlgorithm(header.alg, algorithms);
      if (algorithm.kind === 'refused') return decided(rejectedIdToken(algorithm.reason, algorithm.message, token, claims));
      const keyState = await keys();
      if (keyState.kind === 'failed') return decided({ kind: 'errored', reason: keyState.reason, message: keyState.message });
      const signature = await verifySignature(token, algorithm.alg, header.kid, keyState.resolver);
      if (signature.kind === 'errored') return decided({ kind: 'errored', reason: signature.reason, message: signature.message });
      if (signature.kind === 'rejected') return decided(rejectedIdToken(signature.reason, signature.message, token, claims));
      const times = checkTimes(claims, Math.floor(now().getTime() / 1000), { leewaySeconds: options.skewSeconds, requireExp: true, maxLifetimeSeconds: options.maxLifetimeSeconds });
      if (times.kind === 'failed') return decided(rejectedIdToken(times.reason, times.message, token, claims));
      const tokenAudiences = audiencesOf(claims);
      if (tokenAudiences === undefined) return decided(rejectedIdToken('malformed_credentials', 'aud is neither a string nor a list of strings', token, claims));
      let granted = intersect(tokenAudiences, options.audiences);
      // A caller asking for specific audiences (TokenReview spec.audiences) gets only those.
      if (request.audiences.length > 0) granted = intersect(granted, request.audiences);
      if (granted.length === 0) return decided(rejectedIdToken('audience_mismatch', 'token is not meant for an accepted audience', token, claims));
      return { kind: 'verified', token, claims, audiences: granted };
    },
  };
}

/** A rejection of an id-token: the credential for the event, the `sub` as the claimed name. */
export function rejectedIdToken(reason: ReasonCode, message: string, token: string, claims: JwtClaims): AuthOutcome {
  const sub = stringClaim(claims, 'sub');
  return { kind: 'rejected', reason, message, credential: jwtCredential('oidc', token, claims), ...(sub ? { claimedUsername: bounded(sub) } : {}) };
}
