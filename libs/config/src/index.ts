export * from './config.types';
export { configSchema, STRATEGY_IDS, LOG_LEVELS } from './config.schema';
export { parseDuration, formatDuration, DURATION_PATTERN } from './duration';
export { parseFingerprintKeysEnv, decodeFingerprintSecret, type FingerprintKeyConfig } from './fingerprint-keys';
export { loadConfig, readConfig, ConfigError, type ConfigIssue, type ConfigResult, type LoadConfigOptions, type StrategyConfigValidator } from './load-config';
export { configReferenceMarkdown } from './config-reference';
