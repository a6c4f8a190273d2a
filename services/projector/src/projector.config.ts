import { ConfigError, type AuthtrailConfig, type LogLevel, type ProjectorSettings } from '@authtrail/config';
import { TOPICS } from '@authtrail/events';

export interface ProjectorConfig {
  /** Consumer group; also the key of the checkpoints in Postgres. */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly deadLetterTopic: string;
}

/** The only place the projector's defaults are written. */
export const PROJECTOR_DEFAULTS: ProjectorConfig = {
  groupId: 'authtrail-projector',
  topics: [TOPICS.decisions, TOPICS.control],
  deadLetterTopic: TOPICS.deadLetter,
};

export function resolveProjectorConfig(partial: Partial<ProjectorConfig> = {}): ProjectorConfig {
  const config = { ...PROJECTOR_DEFAULTS, ...partial };
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(config.groupId)) throw new RangeError('projector groupId must be 1-200 characters of [A-Za-z0-9._-]');
  if (config.topics.length === 0) throw new RangeError('projector topics must name at least one topic');
  return config;
}

/** The `projector.*` keys of the authtrail config, over the defaults. */
export function projectorConfigOf(settings: ProjectorSettings): ProjectorConfig {
  return resolveProjectorConfig({
    groupId: settings.groupId,
    ...(settings.topics ? { topics: [...settings.topics] } : {}),
    ...(settings.deadLetterTopic ? { deadLetterTopic: settings.deadLetterTopic } : {}),
  });
}

export interface StandaloneProjectorConfig extends ProjectorConfig {
  readonly brokers: readonly string[];
  readonly databaseUrl: string;
  readonly dataDir: string;
  /** Serves /metrics and /healthz on metricsHost when set. */
  readonly metricsPort: number | undefined;
  /** `projector.metricsHost` (PROJECTOR_METRICS_HOST): 127.0.0.1 by default, 0.0.0.0 in containers. */
  readonly metricsHost: string;
  /** `projector.stallAfter` in milliseconds: no progress with records pending this long makes /healthz 503. */
  readonly stallAfterMs: number;
  readonly logLevel: LogLevel;
  /** The chain verification (docs/integrity.md): on when `integrity.verificationKeysFile` names the producers' public keys. */
  readonly integrity: { readonly verificationKeysFile: string | undefined; readonly gapGraceMs: number };
}

/**
 * The standalone process (main.ts), from the one config file and its environment overrides
 * (DESIGN §8). Unlike `npm start` it has no embedded bus or database: both must be configured,
 * and the error names the key.
 */
export function standaloneProjectorConfig(config: AuthtrailConfig): StandaloneProjectorConfig {
  const brokers = config.events.kafka?.brokers ?? [];
  const databaseUrl = config.database.url;
  const missing = [
    ...(brokers.length === 0 ? ['events.kafka.brokers: the standalone projector needs Kafka (set it or KAFKA_BROKERS)'] : []),
    ...(databaseUrl ? [] : ['database.url: the standalone projector needs PostgreSQL (set it or DATABASE_URL)']),
  ];
  if (missing.length > 0 || !databaseUrl) throw new ConfigError(missing.map((m) => `${config.configFile ?? '<defaults>'}: ${m}`));
  return {
    ...projectorConfigOf(config.projector),
    brokers,
    databaseUrl,
    dataDir: config.dataDir,
    metricsPort: config.projector.metricsPort,
    metricsHost: config.projector.metricsHost,
    stallAfterMs: config.projector.stallAfter,
    logLevel: config.log.level,
    integrity: { verificationKeysFile: config.integrity.verificationKeysFile, gapGraceMs: config.integrity.gapGrace },
  };
}
