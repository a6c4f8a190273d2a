// The GraphQL API as its own process: `tsx services/graphql-api/src/main.ts [--config FILE]`.
// SIGTERM/SIGINT: stop accepting, finish in-flight requests, close subscriptions, flush the
// control publisher, close the database pool, exit 0.
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '@authtrail/config';
import { createKafkaBus, type EventBus } from '@authtrail/event-bus';
import { validateStrategyConfig } from '@authtrail/strategies';
import { startGraphqlApi } from './start-graphql-api';

async function main(): Promise<void> {
  const config = loadConfig({ argv: process.argv.slice(2), env: process.env, validateStrategy: validateStrategyConfig });
  const logger = pino({
    level: config.log.level,
    name: 'graphql-api',
    // Secrets never reach the log, at any level.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.secret', 'secret', 'variables.secret'], censor: '[redacted]' },
  });
  // Mutations publish in strict mode: an admin learns at once whether the control event landed.
  let bus: EventBus | undefined;
  if (config.events.kafka) {
    bus = createKafkaBus({
      brokers: config.events.kafka.brokers,
      clientId: `${config.events.kafka.clientId}-graphql-api`,
      mode: 'strict',
      spoolDir: join(config.dataDir, 'graphql-api-spool'),
      strictTimeoutMs: config.events.strictTimeout,
    });
  } else {
    logger.warn('events.kafka is not set: mutations answer NOT_CONFIGURED in this process');
  }
  const api = await startGraphqlApi(config, { ...(bus ? { publisher: bus.publisher } : {}), logger });
  logger.info({ url: api.url, playground: config.graphql.playground ? `${api.url}/playground` : undefined }, 'graphql-api listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'graphql-api stopping');
    void (async () => {
      try {
        await api.close();
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
