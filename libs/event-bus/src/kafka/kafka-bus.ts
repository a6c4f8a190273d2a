// createKafkaBus: the composition of the Kafka adapter (publisher with spool, subscriber, admin).
import type { KafkaConfig } from 'kafkajs';
import { silentLogger } from '../bus.logger';
import { createBusMetrics } from '../bus.metrics';
import type { EventBus } from '../bus.port';
import { QueuedPublisher } from '../publisher/queued-publisher';
import { DiskSpool } from '../spool/disk-spool';
import { type KafkaBusOptions, resolveBootRetry, resolvePublisherSettings } from './kafka-bus.config';
import { untilKafkaAnswers, type BootRetryOptions } from './kafka-boot-retry';
import { createKafkaSubscriber } from './kafka-subscriber';
import { createTopicAdmin } from './kafka-topic-admin';
import { kafkajsFor } from './fast-produce/tuned-kafkajs';
import { createKafkaTransport, createProducerClient } from './kafka-transport';

/** The Kafka bus also answers where each partition of a topic ends (the projector's lag and stall probe). */
export interface KafkaEventBus extends EventBus {
  /** Per partition, the offset after its last record (high watermark); rejects within seconds while Kafka is unreachable. */
  endOffsets(topic: string): Promise<ReadonlyMap<number, bigint>>;
}

export function createKafkaBus(options: KafkaBusOptions): KafkaEventBus {
  const settings = resolvePublisherSettings(options);
  const logger = options.logger ?? silentLogger;
  const { Kafka, logLevel } = kafkajsFor(settings.encoding);
  const kafkaConfig: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    // kafkajs logs every refused connection while a broker is down; the bus logs the state
    // changes that matter (unreachable, spooling, replaying) itself.
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 10_000,
    // Short: an unreachable broker must be noticed within a second or so to start spooling.
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  };
  const kafka = new Kafka(kafkaConfig);
  const admin = createTopicAdmin(kafka);
  const spool = DiskSpool.open({ dir: options.spoolDir, maxBytes: settings.spoolMaxBytes, segmentBytes: settings.spoolSegmentBytes });
  const publisher = new QueuedPublisher({
    transport: createKafkaTransport(createProducerClient(kafkaConfig, settings.encoding, logger), createTopicAdmin(kafka), options.topics ?? {}, settings),
    spool,
    settings,
    metrics: createBusMetrics(options.metrics, options.clientId),
    logger,
  });
  const topicSpecs = options.topics ?? {};
  // Subscribing and topic creation wait for Kafka at boot (kafka-boot-retry.ts); close() ends the wait.
  const closeSignal = new AbortController();
  const boot: BootRetryOptions = { settings: resolveBootRetry(options), logger, closing: closeSignal.signal };
  const subscriber = createKafkaSubscriber(
    kafka,
    options.clientId,
    logger,
    (names) => admin.ensureTopics(Object.fromEntries(names.map((name) => [name, topicSpecs[name] ?? { partitions: -1 }]))),
    boot,
  );
  let closing: Promise<void> | undefined;
  return {
    publisher,
    subscriber,
    async endOffsets(topic) {
      const client = kafka.admin();
      try {
        await client.connect();
        const offsets = await client.fetchTopicOffsets(topic);
        return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
      } finally {
        await client.disconnect().catch(() => undefined);
      }
    },
    admin: { ensureTopics: (specs) => untilKafkaAnswers(`create topics ${Object.keys(specs).join(', ')}`, () => admin.ensureTopics(specs), boot) },
    close() {
      closeSignal.abort();
      closing ??= (async () => {
        await subscriber.stopAll();
        await publisher.close();
        await admin.disconnect();
      })();
      return closing;
    },
  };
}
