import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
// infra/kafka/broker.js is plain CommonJS shared with run-local.sh and the jest global setup, not an Nx project.
// eslint-disable-next-line @nx/enforce-module-boundaries
import * as broker from '../../../infra/kafka/broker.js';

export const { startKafkaBroker, waitForKafka, freePort, freePorts, KAFKA_VERSION } = broker;
// eslint-disable-next-line @nx/enforce-module-boundaries
export type { RunningKafkaBroker } from '../../../infra/kafka/broker.js';

/** The broker list the jest global setup started (or was given in KAFKA_BROKERS). */
export function testKafkaBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) {
    throw new Error('KAFKA_BROKERS is not set: run this test through jest with the withInfrastructure preset');
  }
  return brokers.split(',');
}

/** A topic name no other test file uses, so files can share one broker. */
export function uniqueTopic(prefix: string): string {
  return `test.${prefix}.${randomBytes(4).toString('hex')}`;
}

export function testKafka(clientId = 'authtrail-test'): Kafka {
  return new Kafka({ clientId, brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING });
}
