// kube-apiserver's AuthenticationConfiguration file (`--authentication-config`), accepted as-is:
// `authn.authenticationConfiguration` → JWT authenticators + anonymous, reloaded on change.
export {
  startAuthenticationConfiguration,
  checkAuthenticationConfiguration,
  AuthenticationConfigurationError,
  AUTHENTICATION_CONFIGURATION_POLL_MS,
  type AuthenticationConfigurationController,
  type AuthenticationConfigurationOptions,
  type ReloadStatus,
  type ReloadStatusLabel,
} from './authentication-configuration.controller';
export { registerAuthenticationConfigurationMetrics } from './authentication-configuration.metrics';
export { decodeAuthenticationConfiguration, type DecodeResult } from './authentication-configuration.decoder';
export { validateAuthenticationConfiguration, type CompiledAuthenticationConfiguration, type CompiledJwtAuthenticator } from './authentication-configuration.validation';
export type { AuthenticationConfiguration } from './authentication-configuration.types';
export { CREDENTIAL_ID_EXTRA as JWT_CREDENTIAL_ID_EXTRA } from './kube-claim-mappings';
