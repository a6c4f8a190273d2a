export { configSchema, type AnonymousConfig } from './anonymous.config';
export { createAnonymousStrategy as create, ANONYMOUS_USERNAME, UNAUTHENTICATED_GROUP } from './anonymous.strategy';
export const id = 'anonymous';
