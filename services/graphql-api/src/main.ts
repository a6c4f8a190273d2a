// The GraphQL API as its own process: `tsx services/graphql-api/src/main.ts [--config FILE]`.
// SIGTERM/SIGINT: stop accepting, finish in-flight requests, close subscriptions, flush the
// control publisher, close the database pool, exit 0.
import { join } from 'node:path';
import pino from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfig } from '@authtrail/config';
import { graphqlInstanceOf } from '@authtrail/authentication';
import { createKafkaBus, type EventBus } from '@authtrail/event-bus';
import { TOPICS } from '@authtrail/events';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { startGraphqlApi } from './start-graphql-api';

async function main(): Promise<void> {
  const config = loadConfig({ argv: process.argv.slice(2), env: process.env, validateStrategy: validateStrategyConfig });
  const logger = pino({
    level: config.log.level,
    name: 'graphql-api',
    base: { service: 'graphql-api' },
    // Secrets never reach the log, at any level.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.secret', 'secret', 'variables.secret'], censor: '[redacted]' },
  });
  // One registry for the process: the API's metrics, its buses' (`authtrail_events_*` by client id), the process metrics once.
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  // Mutations publish in strict mode: an admin learns at once whether the control event landed.
  // The callers' decision events follow `events.mode` on a bus of their own, which also replays
  // the control topic (policy, revocations) for those decisions.
  let bus: EventBus | undefined;
  let decisionBus: EventBus | undefined;
  const kafka = config.events.kafka;
  if (kafka) {
    bus = createKafkaBus({
      brokers: kafka.brokers,
      clientId: `${kafka.clientId}-graphql-api`,
      mode: 'strict',
      spoolDir: join(config.dataDir, 'graphql-api-spool'),
      strictTimeoutMs: config.events.strictTimeout,
      metrics: metricsRegistry,
    });
    decisionBus = createKafkaBus({
      brokers: kafka.brokers,
      clientId: `${kafka.clientId}-graphql-api-decisions`,
      mode: config.events.mode,
      spoolDir: join(config.dataDir, 'spool', `graphql-api-${graphqlInstanceOf(config)}`),
      memoryBufferRecords: config.events.bufferSize,
      spoolMaxBytes: config.events.spoolMaxBytes,
      strictTimeoutMs: config.events.strictTimeout,
      topics: { [TOPICS.decisions]: { partitions: 6 } },
      logger: logger.child({ component: 'event-bus' }),
      metrics: metricsRegistry,
    });
  } else if (config.graphql.auth.enabled) {
    logger.fatal('events.kafka.brokers (or KAFKA_BROKERS) is required: the API records its callers\' decisions; the embedded bus runs under `npm start`');
    process.exit(2);
  } else {
    logger.warn('events.kafka is not set: mutations answer NOT_CONFIGURED in this process');
  }
  const api = await startGraphqlApi(config, {
    ...(bus ? { publisher: bus.publisher } : {}),
    ...(decisionBus ? { decisionPublisher: decisionBus.publisher, subscriber: decisionBus.subscriber } : {}),
    registry: { createStrategy },
    logger,
    metricsRegistry,
  });
  logger.info({ url: api.url, playground: config.graphql.playground ? `${api.url}/playground` : undefined }, 'graphql-api listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'graphql-api stopping');
    void (async () => {
      try {
        await api.close();
        await decisionBus?.close();
        await bus?.close();
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'graphql-api did not stop cleanly');
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`graphql-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
