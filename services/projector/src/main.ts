// The projector as its own process: `tsx services/projector/src/main.ts [run] [--config FILE]` or
// `... replay --from=kafka|database`. Configuration: the one authtrail config file and its
// environment overrides (DESIGN §8; `projector.*`, `events.kafka`, `database.url`).
// SIGTERM/SIGINT: stop consuming after the batch in flight, close Kafka and Postgres, exit 0.
import { readdirSync, rmdirSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { loadConfig } from '@authtrail/config';
import { TOPICS } from '@authtrail/events';
import { createKafkaBus } from '@authtrail/event-bus';
import { loadVerificationKeys, readJwksFile } from '@authtrail/integrity';
import { openReadModel, runMigrations } from '@authtrail/read-model';
import pino from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { publisherDeadLetters } from './bus-dead-letters';
import { standaloneProjectorConfig } from './projector.config';
import { startProjector } from './projector';
import { partitionSettingsOf } from './partitions/partition.settings';
import { startPartitionMaintenance } from './partitions/partition-maintenance';
import { startHealthProbe } from './projector-health';
import { progressLine, replayFromDatabase, replayFromKafka } from './replay';

const logger = pino({ name: 'authtrail-projector', redact: ['*.password', '*.url', 'databaseUrl'] }).child({ service: 'projector' });

async function waitForMigrations(url: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await runMigrations(url);
      return;
    } catch (error) {
      if (attempt >= 30) throw error;
      logger.warn({ attempt, error: error instanceof Error ? error.message : 'unknown' }, 'PostgreSQL not ready; retrying migrations');
      await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * attempt)));
    }
  }
}

async function main(argv: readonly string[]): Promise<void> {
  // The command, when given, comes first: `run` (default) or `replay`.
  const command = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : 'run';
  const loaded = loadConfig({ argv });
  const config = standaloneProjectorConfig(loaded);
  logger.level = config.logLevel;
  await waitForMigrations(config.databaseUrl);
  const db = await openReadModel(config.databaseUrl, { applicationName: 'authtrail-projector' });
  const registry = new Registry();
  // Unprefixed process metrics (`process_cpu_seconds_total`, `nodejs_*`), as stock dashboards expect.
  collectDefaultMetrics({ register: registry });
  // Strict mode (dead letters acked by Kafka before the offset moves) never spools, but the bus
  // wants a directory of its own: one per process, removed again when left empty.
  const spoolDir = path.join(config.dataDir, 'spool', `projector-${process.pid}`);
  const removeSpoolIfEmpty = (): void => {
    try {
      if (readdirSync(spoolDir).length === 0) rmdirSync(spoolDir);
    } catch {
      // already gone
    }
  };
  // Kafka not up yet at boot: topic creation and the subscription wait with backoff, one log line per attempt.
  const bus = createKafkaBus({ brokers: config.brokers, clientId: `authtrail-projector-${process.pid}`, mode: 'strict', spoolDir, metrics: registry, logger: logger.child({ component: 'event-bus' }) });
  // Existing topics are left as they are; missing ones get these partition counts.
  await bus.admin.ensureTopics({
    ...Object.fromEntries(config.topics.map((topic) => [topic, { partitions: topic === TOPICS.control ? 1 : 6 }])),
    [config.deadLetterTopic]: { partitions: 1 },
  });

  if (command === 'replay') {
    const from = argv.find((a) => a.startsWith('--from='))?.slice('--from='.length) ?? 'database';
    const onProgress = (p: Parameters<typeof progressLine>[0]): void => void process.stdout.write(`${progressLine(p)}\n`);
    const started = Date.now();
    const result = from === 'kafka' ? await replayFromKafka(db, bus.subscriber, config, { onProgress }) : await replayFromDatabase(db, { onProgress });
    process.stdout.write(`[replay] done from ${from}: ${result.events} events projected, ${result.skipped} poison records skipped, ${Date.now() - started} ms\n`);
    await bus.close();
    await db.destroy();
    removeSpoolIfEmpty();
    return;
  }
  if (command !== 'run') throw new RangeError(`unknown command ${command} (run | replay --from=kafka|database)`);

  // The producers' public keys: without them the links are stored but not verified here (docs/integrity.md).
  const { verificationKeysFile, gapGraceMs } = config.integrity;
  const integrity = verificationKeysFile === undefined ? undefined : { keys: loadVerificationKeys(readJwksFile(verificationKeysFile, 'integrity.verificationKeysFile')), gapGraceMs, endOffsets: (topic: string) => bus.endOffsets(topic) };
  if (!integrity) logger.info({}, 'integrity.verificationKeysFile is not set: the producer chains are not verified by this projector');
  const projector = await startProjector(config, { db, subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), registry, logger, ...(integrity ? { integrity } : {}) });
  // Partitions of `decision` created ahead, strays placed, retention applied (docs/read-models.md "Partitions and retention").
  const partitions = startPartitionMaintenance(db, partitionSettingsOf(loaded.readModels), { logger });
  // /healthz and /readyz: lag per partition, 503 on a stall (records pending, no checkpoint moving) — projector-health.ts.
  const health = startHealthProbe({ db, groupId: config.groupId, topics: config.topics, endOffsets: (topic) => bus.endOffsets(topic), stallAfterMs: config.stallAfterMs });
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : createServer((req, res) => {
          // The same verdict on both probes (the Kubernetes manifests probe /readyz).
          if (req.url === '/healthz' || req.url === '/readyz') {
            const verdict = health.verdict();
            res.writeHead(verdict.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(verdict.body));
            return;
          }
          if (req.url !== '/metrics') {
            res.writeHead(404).end();
            return;
          }
          registry.metrics().then(
            (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
            () => res.writeHead(500).end(),
          );
        })
          .listen(config.metricsPort, config.metricsHost)
          // A port in use is fatal: one line, exit 1 (not an uncaught 'error' with a stack).
          .on('error', (error: Error) => {
            logger.error({ error: `${error.name}: ${error.message}` }, 'projector failed: metrics listener');
            process.exit(1);
          });
  logger.info({ groupId: config.groupId, topics: config.topics }, 'projector running');
  process.stdout.write('projector ready\n');

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    void (async () => {
      health.stop();
      await projector.stop();
      await partitions.stop();
      await bus.close();
      await db.destroy();
      metricsServer?.close();
      removeSpoolIfEmpty();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  logger.error({ error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown' }, 'projector failed');
  process.exit(1);
});
