export { configSchema, BASIC_AUTH_DEFAULTS, type BasicAuthConfig } from './basic-auth.config';
export { createBasicAuthStrategy as create, type BasicAuthStrategy } from './basic-auth.strategy';
export { parsePasswordColumn, scryptPhc, type PasswordHash, type PasswordStorage } from './password-hash';
export { parsePasswordRows, parsePasswordFile, type BasicAuthUser, type PasswordTable } from './password-file.parser';
export const id = 'basic-auth';
