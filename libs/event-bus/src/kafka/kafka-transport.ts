// Sends batches with kafkajs: acks from all in-sync replicas, idempotent producer (one request
// in flight per broker, which also keeps per-partition order through kafkajs' own retries),
// Java-compatible murmur2 partitioning so keys land where Java clients would put them.
// Topics are created on first use with their configured partitions.
// `encoding: 'tuned'` (the default) runs the producer on tunedKafkajs() with our murmur2
// partitioner: the same bytes on the wire and the same partitions, at about half kafkajs' CPU per
// record (docs/event-bus.md, "The Kafka share"); `'kafkajs'` is stock kafkajs, kept to measure against.
import type { IHeaders, Kafka, KafkaConfig, Producer } from 'kafkajs';
import type { BusLogger } from '../bus.logger';
import type { BusRecord, TopicSpecs } from '../bus.port';
import { RecordsTooLargeError, type RecordTransport } from '../publisher/record-transport.port';
import { createMurmur2Partitioner } from './fast-produce/murmur2-partitioner';
import { kafkajsFor, tunedKafkajs } from './fast-produce/tuned-kafkajs';
import type { ProducerEncoding, RecordCompression } from './kafka-bus.config';
import type { TopicAdmin } from './kafka-topic-admin';

export interface KafkaTransportOptions {
  readonly encoding: ProducerEncoding;
  readonly compression: RecordCompression;
}

/** The producer's own client: on tuned kafkajs unless stock is asked for. */
export function createProducerClient(config: KafkaConfig, encoding: ProducerEncoding, logger: BusLogger): Kafka {
  const kafkajs = kafkajsFor(encoding);
  if (encoding === 'tuned' && !tunedKafkajs().replaced.includes('produce request')) {
    // Correct either way (the same bytes); only slower. Happens when something in the process sent with kafkajs first.
    logger.warn({}, 'kafkajs was producing before the event bus started: its stock produce request encoding stays in use');
  }
  return new kafkajs.Kafka(config);
}

/** kafkajs' own retries stay short: the publisher's loop retries for as long as it takes. */
const PRODUCER_RETRY = { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 };
const SEND_TIMEOUT_MS = 10_000;

export function createKafkaTransport(kafka: Kafka, admin: TopicAdmin, topics: TopicSpecs, options: KafkaTransportOptions): RecordTransport {
  const { CompressionTypes, Partitioners } = kafkajsFor(options.encoding);
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  let producer: Producer | undefined;
  const ensured = new Set<string>();

  async function ready(topicNames: Iterable<string>): Promise<Producer> {
    const missing = [...new Set(topicNames)].filter((t) => !ensured.has(t));
    if (missing.length > 0) {
      await admin.ensureTopics(Object.fromEntries(missing.map((t) => [t, topics[t] ?? { partitions: -1 }])));
      for (const topic of missing) ensured.add(topic);
    }
    if (!producer) {
      const fresh = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: options.encoding === 'tuned' ? createMurmur2Partitioner : Partitioners.DefaultPartitioner,
        retry: PRODUCER_RETRY,
      });
      try {
        await fresh.connect();
      } catch (error) {
        await fresh.disconnect().catch(() => undefined);
        throw error;
      }
      producer = fresh;
    }
    return producer;
  }

  return {
    async prepare(topicNames) {
      await ready(topicNames);
    },
    async send(records) {
      if (records.length === 0) return;
      // Prepared by `prepare` (a no-op then); if it has to connect here, a failure still counts as
      // "may have landed", which is the safe side.
      const connected = await ready(records.map((r) => r.topic));
      try {
        await connected.sendBatch({ acks: -1, timeout: SEND_TIMEOUT_MS, compression, topicMessages: toTopicMessages(records) });
      } catch (error) {
        if (refusedAsTooLarge(error)) throw new RecordsTooLargeError(`Kafka refused a batch of ${records.length} records as too large`);
        throw error;
      }
    },
    async reset() {
      // A fresh producer gets a fresh producer id: no idempotence sequence state survives a
      // broker outage (kafkajs does not recover from OUT_OF_ORDER_SEQUENCE on its own).
      const current = producer;
      producer = undefined;
      await current?.disconnect().catch(() => undefined);
      await admin.disconnect();
    },
    async close() {
      await this.reset();
    },
  };
}

/** Kafka's error codes for a record batch above message.max.bytes (kafkajs names them in `type`). */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

export function refusedAsTooLarge(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { type, errors } = error as { type?: unknown; errors?: unknown };
  // A send to several brokers fails with an aggregate of their errors.
  return (typeof type === 'string' && TOO_LARGE.has(type)) || (Array.isArray(errors) && errors.some(refusedAsTooLarge));
}

function toTopicMessages(records: readonly BusRecord[]) {
  const byTopic = new Map<string, { key: string; value: Buffer; headers?: IHeaders }[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    // kafkajs only reads the headers: the record's own (often shared, frozen) object is passed as is.
    messages.push(record.headers ? { key: record.key, value: record.value, headers: record.headers as IHeaders } : { key: record.key, value: record.value });
    byTopic.set(record.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
