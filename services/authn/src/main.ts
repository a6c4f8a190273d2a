// `npx tsx services/authn/src/main.ts --config /etc/authtrail.yaml`: the standalone authn service.
import { join } from 'node:path';
import { hostname } from 'node:os';
import { ConfigError, loadConfig } from '@authtrail/config';
import { createKafkaBus } from '@authtrail/event-bus';
import { TOPICS } from '@authtrail/events';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { tuneGarbageCollection } from './observability/gc-tuning';
import { createLogger } from './observability/logger';
import { startAuthn } from './start-authn';

async function main(): Promise<void> {
  tuneGarbageCollection();
  let config;
  try {
    config = loadConfig({ argv: process.argv.slice(2), env: process.env, validateStrategy: validateStrategyConfig });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.log.level);
  const kafka = config.events.kafka;
  if (!kafka) {
    logger.fatal('events.kafka.brokers (or KAFKA_BROKERS) is required for the standalone authn service; the embedded bus runs under `npm start`');
    process.exit(2);
  }
  const instance = config.authn.instance ?? hostname();
  const bus = createKafkaBus({
    brokers: kafka.brokers,
    clientId: `${kafka.clientId}-authn`,
    mode: config.events.mode,
    spoolDir: join(config.dataDir, 'spool', `authn-${instance}`),
    memoryBufferRecords: config.events.bufferSize,
    spoolMaxBytes: config.events.spoolMaxBytes,
    strictTimeoutMs: config.events.strictTimeout,
    // At SIGTERM with Kafka away, what is left goes to the spool after the shutdown grace, not later.
    closeTimeoutMs: config.authn.limits.shutdownGrace,
    topics: { [TOPICS.decisions]: { partitions: 6 } },
    logger: logger.child({ component: 'event-bus' }),
  });
  const running = await startAuthn(config, { publisher: bus.publisher, subscriber: bus.subscriber, logger, registry: { createStrategy } });

  const stop = (signal: string) => {
    logger.info({ signal }, 'signal received');
    void running
      .close()
      .then(() => bus.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`authn failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
