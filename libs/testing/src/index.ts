export * from './kafka';
export * from './postgres';
export * from './secrets';
export * from './keys';
export * from './jwt';
export * from './x509';
export * from './bootstrap-tokens';
export * from './oidc-provider';
