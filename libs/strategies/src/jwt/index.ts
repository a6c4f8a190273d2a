// Shared JWT handling of the service-account and oidc strategies (internal to libs/strategies).
export * from './compact-jwt.parser';
export * from './jwt-algorithms';
export * from './jwt-claims';
export * from './verification-key.loader';
export * from './key-resolver';
export * from './jwt-signature.verifier';
export * from './http-fetch';
export * from './bearer-jwt';
