export * from './kafka';
export * from './postgres';
export * from './secrets';
export * from './x509';
export * from './bootstrap-tokens';
