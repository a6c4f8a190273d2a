export { configSchema, SERVICE_ACCOUNT_DEFAULTS, LEGACY_SERVICE_ACCOUNT_ISSUER, type ServiceAccountConfig } from './service-account.config';
export {
  createServiceAccountStrategy as create,
  ServiceAccountConfigError,
  EXTRA_CREDENTIAL_ID,
  EXTRA_NODE_NAME,
  EXTRA_NODE_UID,
  EXTRA_POD_NAME,
  EXTRA_POD_UID,
  type ServiceAccountDeps,
} from './service-account.strategy';
export { serviceAccountUsername } from './service-account-claims';
export const id = 'service-account';
