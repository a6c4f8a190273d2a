export * from './strategy';

// Decorators (DESIGN §3.1)
export { firstMatch, type ChainResult, type ChainStrategy, type FirstMatchOptions } from './chain/first-match';
export { cached, CACHE_DEFAULTS, type CachedOptions, type CachedStrategy, type CacheStats } from './chain/cached';
export { withGroups } from './chain/with-groups';
export { requestFingerprints, type FingerprintFunctions } from './shared/request-fingerprints';

// Registry and the pieces factories share
export { createStrategy, validateStrategyConfig, knownStrategyIds, strategyModule, StrategyConfigError, type StrategyModule, type StrategyConfigIssue } from './registry';
export type { StrategyDeps, StrategyLogger } from './shared/strategy-deps';
export { FileLoadError } from './shared/file-reloader';
export { parseAuthorizationHeader, type AuthorizationHeader } from './http/authorization-header';
export { parseKubeCsv, type CsvResult, type CsvRecord } from './csv/kube-csv.parser';

// Strategies
export { create as createStaticTokenStrategy, type StaticTokenConfig, parseTokenFile } from './static-token';
export { create as createBootstrapTokenStrategy, type BootstrapTokenConfig, parseBootstrapSecrets, BOOTSTRAP_TOKEN_PATTERN } from './bootstrap-token';
export { create as createBasicAuthStrategy, type BasicAuthConfig, type BasicAuthStrategy, parsePasswordColumn, scryptPhc, type PasswordStorage } from './basic-auth';
export { create as createX509Strategy, type X509Config, CREDENTIAL_ID_EXTRA, parsePemCertificates, type PemCertificatesResult, verifyClientChain } from './x509';
export { create as createAnonymousStrategy, type AnonymousConfig, ANONYMOUS_USERNAME, UNAUTHENTICATED_GROUP } from './anonymous';
export { create as createServiceAccountStrategy, type ServiceAccountConfig, type ServiceAccountDeps, ServiceAccountConfigError, LEGACY_SERVICE_ACCOUNT_ISSUER, serviceAccountUsername } from './service-account';
export { create as createOidcStrategy, type OidcConfig, type OidcDeps, OidcConfigError } from './oidc';
export { ASYMMETRIC_ALGORITHMS, type JwsAlgorithm } from './jwt/jwt-algorithms';
// kube-apiserver's AuthenticationConfiguration file (authn.authenticationConfiguration): JWT authenticators + anonymous, reloaded on change
export {
  startAuthenticationConfiguration,
  registerAuthenticationConfigurationMetrics,
  AuthenticationConfigurationError,
  type AuthenticationConfigurationController,
  type AuthenticationConfigurationOptions,
} from './kube-authentication-config';
