// createKafkaBus: the composition of the Kafka adapter (publisher with spool, subscriber, admin).
import { Kafka, logLevel } from 'kafkajs';
import { silentLogger } from '../bus.logger';
import { createBusMetrics } from '../bus.metrics';
import type { EventBus } from '../bus.port';
import { QueuedPublisher } from '../publisher/queued-publisher';
import { DiskSpool } from '../spool/disk-spool';
import { type KafkaBusOptions, resolvePublisherSettings } from './kafka-bus.config';
import { createKafkaSubscriber } from './kafka-subscriber';
import { createTopicAdmin } from './kafka-topic-admin';
import { createKafkaTransport } from './kafka-transport';

export function createKafkaBus(options: KafkaBusOptions): EventBus {
  const settings = resolvePublisherSettings(options);
  const logger = options.logger ?? silentLogger;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    // kafkajs logs every refused connection while a broker is down; the bus logs the state
    // changes that matter (unreachable, spooling, replaying) itself.
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 10_000,
    // Short: an unreachable broker must be noticed within a second or so to start spooling.
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const admin = createTopicAdmin(kafka);
  const spool = DiskSpool.open({ dir: options.spoolDir, maxBytes: settings.spoolMaxBytes, segmentBytes: settings.spoolSegmentBytes });
  const publisher = new QueuedPublisher({
    transport: createKafkaTransport(kafka, createTopicAdmin(kafka), options.topics ?? {}),
    spool,
    settings,
    metrics: createBusMetrics(options.metrics, options.clientId),
    logger,
  });
  const topicSpecs = options.topics ?? {};
  const subscriber = createKafkaSubscriber(kafka, options.clientId, logger, (names) =>
    admin.ensureTopics(Object.fromEntries(names.map((name) => [name, topicSpecs[name] ?? { partitions: -1 }]))),
  );
  let closing: Promise<void> | undefined;
  return {
    publisher,
    subscriber,
    admin: { ensureTopics: (specs) => admin.ensureTopics(specs) },
    close() {
      closing ??= (async () => {
        await subscriber.stopAll();
        await publisher.close();
        await admin.disconnect();
      })();
      return closing;
    },
  };
}
