// One `jwt[]` item of the file as a strategy step: the shared id-token check (discovery, JWKS,
// signature, times, audiences — oidc/id-token-verifier.ts) with kube's claim mappings and rules
// (kube-claim-mappings.ts). Every asymmetric algorithm kube-apiserver accepts with an
// authentication config file is allowed (oidc.AllValidSigningAlgorithms: RS, PS, ES 256/384/512);
// `none`, HS* and EdDSA never are.
import type { AuthOutcome, RequestView } from '../strategy';
import { jwtCredential } from '../jwt/bearer-jwt';
import { createHttpFetch } from '../jwt/http-fetch';
import { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from '../jwt/jwt-algorithms';
import { maxTokenLifetimeSeconds } from '../jwt/token-lifetime.config';
import { OIDC_DEFAULTS } from '../oidc/oidc.config';
import { createIdTokenVerifier, rejectedIdToken, type OidcDeps } from '../oidc/id-token-verifier';
import { mapKubeClaims } from './kube-claim-mappings';
import type { CompiledJwtAuthenticator } from './authentication-configuration.validation';

export const KUBE_JWT_ALGORITHMS: readonly JwsAlgorithm[] = ASYMMETRIC_ALGORITHMS.filter((alg) => alg !== 'EdDSA');

export interface JwtAuthenticator {
  readonly issuerUrl: string;
  authenticate(request: RequestView): Promise<AuthOutcome>;
}

export function createJwtAuthenticator(compiled: CompiledJwtAuthenticator, deps: OidcDeps = {}): JwtAuthenticator {
  const { issuer } = compiled;
  // certificateAuthority is PEM text (validated): trusted for discovery and JWKS only.
  const fetch = deps.fetch ?? createHttpFetch({ ...(issuer.certificateAuthority ? { ca: issuer.certificateAuthority } : {}), timeoutMs: OIDC_DEFAULTS.fetchTimeoutMs });
  const verifier = createIdTokenVerifier(
    {
      issuerUrl: issuer.url,
      ...(issuer.discoveryURL ? { discoveryURL: issuer.discoveryURL } : {}),
      audiences: issuer.audiences,
      algorithms: KUBE_JWT_ALGORITHMS,
      skewSeconds: OIDC_DEFAULTS.clockSkewSeconds,
      maxLifetimeSeconds: maxTokenLifetimeSeconds(undefined),
      fetch,
    },
    deps,
  );
  return {
    issuerUrl: issuer.url,
    async authenticate(request) {
      const checked = await verifier.check(request);
      if (checked.kind === 'decided') return checked.outcome;
      const { token, claims, audiences } = checked;
      const mapped = mapKubeClaims(claims, compiled);
      if (mapped.kind === 'failed') return rejectedIdToken(mapped.reason, mapped.message, token, claims);
      return { kind: 'authenticated', user: mapped.user, credential: jwtCredential('oidc', token, claims, audiences), audiences };
    },
  };
}
