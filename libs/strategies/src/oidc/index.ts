export { configSchema, OIDC_DEFAULTS, type OidcConfig, type OidcClaimMapping } from './oidc.config';
export { createOidcStrategy as create, OidcConfigError, type OidcDeps } from './oidc.strategy';
export { createIdTokenVerifier, rejectedIdToken, type IdTokenVerifier, type IdTokenVerifierOptions, type IdTokenCheck } from './id-token-verifier';
export { mapClaims } from './oidc-claims.mapper';
export const id = 'oidc';
