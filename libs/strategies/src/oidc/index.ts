export { configSchema, OIDC_DEFAULTS, type OidcConfig, type OidcClaimMapping } from './oidc.config';
export { createOidcStrategy as create, OidcConfigError, type OidcDeps } from './oidc.strategy';
export { mapClaims } from './oidc-claims.mapper';
export const id = 'oidc';
