export { configSchema, BOOTSTRAP_TOKEN_DEFAULTS, type BootstrapTokenConfig } from './bootstrap-token.config';
export { createBootstrapTokenStrategy as create } from './bootstrap-token.strategy';
export { parseBootstrapSecrets, type BootstrapSecret, type BootstrapSecretTable } from './bootstrap-secrets.parser';
export { BOOTSTRAP_TOKEN_PATTERN, bootstrapGroups } from './bootstrap-token.rules';
export const id = 'bootstrap-token';
