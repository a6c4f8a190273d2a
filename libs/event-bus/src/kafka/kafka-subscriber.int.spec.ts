// A consumer group that kafkajs gives up on comes back. kafkajs restarts a crashed consumer only
// after a retriable error; after one it deems final (KafkaJSGroupCoordinatorNotFound, seen when a
// fresh broker is still creating __consumer_offsets) it disconnects the consumer, emits CRASH
// with restart: false and never consumes again. The real consumer of the test broker is used;
// the crash is injected the way kafkajs reports one: disconnect, then CRASH to its listeners.
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { testKafka, testKafkaBrokers, uniqueTopic, waitFor } from '@authtrail/testing';
import { silentLogger } from '../bus.logger';
import type { ConsumedRecord } from '../bus.port';
import { BOOT_RETRY_DEFAULTS } from './kafka-boot-retry';
import { createKafkaSubscriber } from './kafka-subscriber';

type CrashListener = (event: { payload: { error: Error; groupId: string; restart: boolean } }) => void;

/** Kafka whose first consumer hands its CRASH listeners to the test. */
function kafkaWithCrashHook(): { kafka: Kafka; crashFirstConsumer: () => Promise<void>; consumersCreated: () => number } {
  const kafka = new Kafka({ clientId: 'subscriber-crash-test', brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING });
  const listeners: CrashListener[] = [];
  let first: Consumer | undefined;
  let created = 0;
  const consumer = kafka.consumer.bind(kafka);
  kafka.consumer = (config) => {
    const real = consumer(config);
    created += 1;
    if (first) return real;
    first = real;
    const on = real.on.bind(real);
    real.on = ((event: string, listener: CrashListener) => {
      if (event === real.events.CRASH) listeners.push(listener);
      return on(event as never, listener as never);
    }) as Consumer['on'];
    return real;
  };
  return {
    kafka,
    consumersCreated: () => created,
    crashFirstConsumer: async () => {
      await first?.disconnect();
      const error = Object.assign(new Error('The group coordinator is not available'), { name: 'KafkaJSGroupCoordinatorNotFound' });
      for (const listener of listeners) listener({ payload: { error, groupId: 'x', restart: false } });
    },
  };
}

describe('Kafka subscriber after a crash kafkajs does not restart from', () => {
  it('replaces the consumer and delivers what is published afterwards', async () => {
    const topic = uniqueTopic('event-bus.subscriber-crash');
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = testKafka().producer();
    await producer.connect();
    const { kafka, crashFirstConsumer, consumersCreated } = kafkaWithCrashHook();
    const closing = new AbortController();
    const subscriber = createKafkaSubscriber(kafka, 'subscriber-crash-test', silentLogger, async () => undefined, { settings: BOOT_RETRY_DEFAULTS, logger: silentLogger, closing: closing.signal });
    const received: string[] = [];
    try {
      await subscriber.subscribe({
        groupId: uniqueTopic('subscriber-crash-group'),
        topics: [topic],
        fromBeginning: true,
        handleBatch: async ({ records }: { records: readonly ConsumedRecord[] }) => {
          for (const record of records) received.push(record.value?.toString() ?? '');
        },
      });
      await producer.send({ topic, messages: [{ value: 'before the crash' }] });
      await waitFor('the record before the crash', async () => (received.includes('before the crash') ? true : undefined), { timeoutMs: 30_000 });

      await crashFirstConsumer();
      await producer.send({ topic, messages: [{ value: 'after the crash' }] });
      await waitFor('the record after the crash', async () => (received.includes('after the crash') ? true : undefined), { timeoutMs: 60_000 });
      expect({ received, consumers: consumersCreated() }).toEqual({ received: ['before the crash', 'after the crash'], consumers: 2 });
    } finally {
      closing.abort();
      await subscriber.stopAll();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 120_000);
});
