import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { BusRecord } from '@authtrail/event-bus';
import type { TopicWriteOutcome, TopicWriter } from './topic-writer.port';

export interface KafkaTopicWriterOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
}

/** A kafkajs producer writing with acks=all. Retries stay short: the exporter's own backoff governs outages. */
export function createKafkaTopicWriter(options: KafkaTopicWriterOptions): TopicWriter {
  const kafka = new Kafka({ clientId: options.clientId, brokers: [...options.brokers], logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 100 } });
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;

  const connected = async (): Promise<Producer> => {
    if (producer) return producer;
    connecting ??= (async () => {
      const created = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 2, initialRetryTime: 100 } });
      await created.connect();
      producer = created;
      return created;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  return {
    async write(records) {
      if (records.length === 0) return { kind: 'acknowledged' };
      try {
        const client = await connected();
        await client.sendBatch({ acks: -1, topicMessages: groupByTopic(records) });
        return { kind: 'acknowledged' };
      } catch (error) {
        return classify(error);
      }
    },
    async close() {
      await producer?.disconnect().catch(() => undefined);
      producer = undefined;
    },
  };
}

function groupByTopic(records: readonly BusRecord[]): { topic: string; messages: { key: string; value: Buffer; headers: Record<string, string> }[] }[] {
  const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
  for (const record of records) {
    const list = byTopic.get(record.topic) ?? [];
    list.push({ key: record.key, value: record.value, headers: { ...record.headers } });
    byTopic.set(record.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

// kafkajs marks errors it would retry; a non-retriable protocol error (MESSAGE_TOO_LARGE,
// INVALID_TOPIC_EXCEPTION, TOPIC_AUTHORIZATION_FAILED, ...) will not get better by waiting.
const PERMANENT = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_TOPIC_EXCEPTION', 'TOPIC_AUTHORIZATION_FAILED', 'INVALID_RECORD', 'CORRUPT_MESSAGE']);

function classify(error: unknown): TopicWriteOutcome {
  const { name, message, type } = error as { name?: string; message?: string; type?: string };
  const detail = `${name ?? 'Error'}: ${message ?? String(error)}`;
  const nested = (error as { errors?: unknown[] }).errors?.find((e) => PERMANENT.has((e as { type?: string }).type ?? ''));
  if ((type !== undefined && PERMANENT.has(type)) || nested !== undefined) return { kind: 'refused', detail };
  return { kind: 'unavailable', detail };
}
