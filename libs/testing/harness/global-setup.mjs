// Jest global setup: one real Kafka broker and one real PostgreSQL for the whole run, or the
// ones named by KAFKA_BROKERS / DATABASE_URL. Tests read the addresses from the environment
// (jest starts its workers after this, so they inherit it). Unreachable infrastructure fails
// the run with the address tried: integration tests are never skipped silently.
import kafkaBroker from '../../../infra/kafka/broker.js';
import pg from 'pg';
import { startPostgres } from './postgres-server.mjs';
import processRegistry from './process-registry.js';

const log = (line) => process.stdout.write(`${line}\n`);

async function checkPostgres(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`PostgreSQL not reachable at ${new URL(url).host}: ${error.message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function globalSetup() {
  const started = (globalThis.__authtrailInfra ??= {});
  // Brokers and servers of earlier runs that died before their teardown hold ports, memory and
  // disk: stopped here (never those of a run still going).
  await processRegistry.reapLeftovers({ log });
  if (process.env.KAFKA_BROKERS) {
    await kafkaBroker.waitForKafka(process.env.KAFKA_BROKERS, { timeoutMs: 15_000 });
    log(`\n[harness] using Kafka at KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
  } else {
    log('');
    started.kafka = await kafkaBroker.startKafkaBroker({ log });
    process.env.KAFKA_BROKERS = started.kafka.brokers;
  }
  if (process.env.DATABASE_URL) {
    await checkPostgres(process.env.DATABASE_URL);
    log(`[harness] using PostgreSQL at ${new URL(process.env.DATABASE_URL).host}`);
  } else {
    started.postgres = await startPostgres({ log });
    process.env.DATABASE_URL = started.postgres.url;
  }
}
