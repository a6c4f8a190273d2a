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

export interface ProjectorEnvConfig extends ProjectorConfig {
  readonly brokers: readonly string[];
  readonly databaseUrl: string;
  readonly dataDir: string;
  /** Serves /metrics on 127.0.0.1 when set. */
  readonly metricsPort: number | undefined;
}

/** Configuration of the standalone process (main.ts), from the environment. */
export function projectorConfigFromEnv(env: NodeJS.ProcessEnv): ProjectorEnvConfig {
  const brokers = (env['KAFKA_BROKERS'] ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new RangeError('KAFKA_BROKERS must name at least one broker (host:port,...)');
  const databaseUrl = env['DATABASE_URL'];
  if (!databaseUrl) throw new RangeError('DATABASE_URL must be set (postgres://user:password@host:port/db)');
  const metricsPort = env['PROJECTOR_METRICS_PORT'] ? Number(env['PROJECTOR_METRICS_PORT']) : undefined;
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort < 65536)) {
    throw new RangeError('PROJECTOR_METRICS_PORT must be a port number');
  }
  const topics = env['PROJECTOR_TOPICS']?.split(',').map((t) => t.trim()).filter(Boolean);
  return {
    ...resolveProjectorConfig({
      ...(env['PROJECTOR_GROUP_ID'] ? { groupId: env['PROJECTOR_GROUP_ID'] } : {}),
      ...(topics && topics.length > 0 ? { topics } : {}),
      ...(env['PROJECTOR_DEAD_LETTER_TOPIC'] ? { deadLetterTopic: env['PROJECTOR_DEAD_LETTER_TOPIC'] } : {}),
    }),
    brokers,
    databaseUrl,
    dataDir: env['AUTHTRAIL_DATA_DIR'] ?? './.authtrail',
    metricsPort,
  };
}
