// The benches' Kafka: the brokers of KAFKA_BROKERS when set, else a private broker started in
// `<dir>/kafka` (the caller destroys it with its run).
import { join } from 'node:path';
import { startKafkaBroker, waitForKafka, type RunningKafkaBroker } from '@authtrail/testing';

export interface BenchKafka {
  readonly brokers: string;
  readonly broker?: RunningKafkaBroker;
}

export async function benchKafka(dir: string, log: (line: string) => void): Promise<BenchKafka> {
  let broker: RunningKafkaBroker | undefined;
  let brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) {
    log('starting a private Kafka broker …');
    broker = await startKafkaBroker({ dataDir: join(dir, 'kafka'), log: () => undefined });
    brokers = broker.brokers;
  }
  await waitForKafka(brokers);
  log(`Kafka at ${brokers}${broker ? ` (private broker, pid ${broker.pid})` : ''}`);
  return broker ? { brokers, broker } : { brokers };
}
