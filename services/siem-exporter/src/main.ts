// The siem-exporter as its own process: `tsx services/siem-exporter/src/main.ts --config FILE`.
// Needs Kafka (`events.kafka.brokers` / KAFKA_BROKERS); the embedded `npm start` runs
// startSiemExporter in-process instead. SIGTERM / SIGINT stop gracefully: the batch in flight is
// either acknowledged by every sink and committed, or left uncommitted and delivered again.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@authtrail/config';
import { createKafkaBus } from '@authtrail/event-bus';
import pino from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createKafkaTopicWriter } from './kafka/kafka-topic-writer';
import { parseSiemConfig } from './siem.config';
import { startSiemExporter } from './siem-exporter';

/** Partitions of output topics the exporter creates; records keep their source key either way. */
const OUTPUT_TOPIC_PARTITIONS = 3;

async function main(): Promise<void> {
  const logger = pino({ name: 'siem-exporter', redact: { paths: ['token', '*.token', 'headers.authorization'], censor: '[redacted]' } }).child({ service: 'siem-exporter' });
  const config = loadConfig({ argv: process.argv.slice(2) });
  const parsed = parseSiemConfig(config.siem);
  if (!parsed.ok) throw new ConfigError(parsed.errors.map((e) => `${config.configFile ?? '<defaults>'}: ${e}`));
  const brokers = config.events.kafka?.brokers;
  if (!brokers || brokers.length === 0) throw new ConfigError(['events.kafka.brokers: the standalone siem-exporter needs Kafka (set it or KAFKA_BROKERS)']);

  const siem = parsed.config;
  // Kafka not up yet at boot: topic creation and the subscription wait with backoff, one log line per attempt.
  const bus = createKafkaBus({ brokers, clientId: siem.clientId, mode: 'strict', spoolDir: join(config.dataDir, 'siem-exporter-spool'), logger: logger.child({ component: 'event-bus' }) });
  const topicWriter = createKafkaTopicWriter({ brokers, clientId: siem.clientId });
  // The output topics, created when missing (brokers often disable auto-creation). A cluster
  // where the exporter may not create topics needs them created beforehand: say so, go on.
  const outputTopics = [siem.topics.deadLetter, ...siem.sinks.flatMap((s) => (s.type === 'kafka-ocsf' || s.type === 'kafka-ecs' ? [s.topic] : []))];
  await bus.admin.ensureTopics(Object.fromEntries(outputTopics.map((t) => [t, { partitions: OUTPUT_TOPIC_PARTITIONS }]))).catch((error: Error) => {
    logger.warn({ topics: outputTopics, error: error.message }, 'could not create the output topics; they must exist');
  });
  // The exporter's metrics and, once, the unprefixed process metrics (`process_*`, `nodejs_*`).
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const exporter = await startSiemExporter(siem, { subscriber: bus.subscriber, topicWriter, logger, registry });

  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      exporter.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': exporter.metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (req.url === '/healthz' || req.url === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(siem.metrics.port, siem.metrics.host, () => logger.info({ url: `http://${siem.metrics.host}:${siem.metrics.port}/metrics` }, 'metrics listening'));

  // A port in use is fatal: one line, exit 1 (not an uncaught 'error' with a stack).
  server.on('error', (error: Error) => {
    process.stderr.write(`siem-exporter: metrics listener: ${error.message}\n`);
    process.exit(1);
  });

  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    void (async () => {
      await exporter.stop();
      await topicWriter.close();
      await bus.close();
      server.close();
      process.exit(0);
    })();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  // Config errors name keys and files, never values; anything else by its message only.
  const lines = error instanceof ConfigError ? error.errors : [(error as Error).message];
  for (const line of lines) process.stderr.write(`siem-exporter: ${line}\n`);
  process.exit(1);
});
