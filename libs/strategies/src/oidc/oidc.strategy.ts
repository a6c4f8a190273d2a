// `oidc`: OpenID Connect id-tokens of one issuer, like one `AuthenticationConfiguration.jwt[]`
// item of kube-apiserver. Configure the strategy once per issuer; tokens of other issuers
// abstain, so several oidc strategies chain.
//
// The token check (discovery, JWKS, signature, times, audiences) is id-token-verifier.ts; this
// strategy adds its claim mappings (oidc-claims.mapper.ts).
import { readFile } from 'node:fs/promises';
import type { AuthOutcome, RequestView, Strategy } from '../strategy';
import { jwtCredential } from '../jwt/bearer-jwt';
import { createHttpFetch } from '../jwt/http-fetch';
import { maxTokenLifetimeSeconds } from '../jwt/token-lifetime.config';
import { clockSkewSeconds, OIDC_DEFAULTS, type OidcConfig } from './oidc.config';
import { createIdTokenVerifier, rejectedIdToken, type OidcDeps } from './id-token-verifier';
import { mapClaims } from './oidc-claims.mapper';

export type { OidcDeps } from './id-token-verifier';

/** Thrown at startup only (unreadable CA file, conflicting keys). */
export class OidcConfigError extends Error {
  override readonly name = 'OidcConfigError';
}

/** `raw` has passed `configSchema`; defaults are applied here. Discovery starts at once, in the background. */
export async function createOidcStrategy(config: OidcConfig, deps: OidcDeps = {}): Promise<Strategy> {
  const fetch = deps.fetch ?? createHttpFetch({ ...(await certificateAuthorityOf(config)), timeoutMs: OIDC_DEFAULTS.fetchTimeoutMs });
  const verifier = createIdTokenVerifier(
    {
      issuerUrl: config.issuer.url,
      ...(config.issuer.discoveryURL !== undefined ? { discoveryURL: config.issuer.discoveryURL } : {}),
      audiences: config.issuer.audiences,
      algorithms: config.algorithms ?? OIDC_DEFAULTS.algorithms,
      skewSeconds: clockSkewSeconds(config.clockSkew),
      maxLifetimeSeconds: maxTokenLifetimeSeconds(config.maxTokenLifetime),
      fetch,
    },
    deps,
  );
  return {
    id: 'oidc',
    async authenticate(request: RequestView): Promise<AuthOutcome> {
      const checked = await verifier.check(request);
      if (checked.kind === 'decided') return checked.outcome;
      const { token, claims, audiences } = checked;
      const mapped = mapClaims(claims, config);
      if (mapped.kind === 'failed') return rejectedIdToken(mapped.reason, mapped.message, token, claims);
      return { kind: 'authenticated', user: mapped.user, credential: jwtCredential('oidc', token, claims, audiences), audiences };
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
