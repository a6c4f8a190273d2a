export { configSchema, STATIC_TOKEN_DEFAULTS, type StaticTokenConfig } from './static-token.config';
export { createStaticTokenStrategy as create } from './static-token.strategy';
export { parseTokenFile, type StaticTokenEntry, type TokenTable } from './token-file.parser';
export const id = 'static-token';
