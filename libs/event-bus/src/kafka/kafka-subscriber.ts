// Consumer groups over kafkajs with manual offset control: a batch's offsets are committed only
// after handleBatch resolved; when it throws, the consumer seeks back to the batch's first record
// so the same records come again (after a growing pause, so a poison record does not spin), and
// every assigned partition resumes from resolveStartOffsets again (see SubscribeOptions).
// Connecting (subscribe, readToEnd's end offsets) waits for Kafka with backoff (kafka-boot-retry.ts).
import { randomUUID } from 'node:crypto';
import type { Consumer, ConsumerRunConfig, Kafka, KafkaMessage } from 'kafkajs';
import { type BusLogger, errorName } from '../bus.logger';
import type { ConsumedRecord, SubscribeOptions, Subscriber, Subscription } from '../bus.port';
import { untilKafkaAnswers, type BootRetryOptions } from './kafka-boot-retry';

export interface KafkaSubscriber extends Subscriber {
  stopAll(): Promise<void>;
}

const JOIN_WAIT_MS = 30_000;
const MAX_REDELIVERY_PAUSE_MS = 5_000;
const FETCH_WAIT_MS = 1_000;
/** Before a consumer kafkajs gave up on is replaced. */
const REPLACE_PAUSE_MS = 1_000;
/**
 * Below the client's 10 s request timeout (kafka-bus.ts). The coordinator holds a SyncGroup until
 * every member of the generation has synced or this timeout expires; with kafkajs' default (60 s)
 * a member killed without leaving (SIGKILL) made the restarted consumer's SyncGroup time out on
 * the client side, crash, rejoin as a new member and leave the old one behind as the next
 * member to wait for: a loop that kept a restarted projector from consuming for minutes.
 */
const REBALANCE_TIMEOUT_MS = 9_000;

/**
 * `ensureTopics` creates subscribed topics that do not exist yet (a projector may start before
 * the first decision was published; kafkajs refuses to subscribe to a missing topic).
 */
export function createKafkaSubscriber(kafka: Kafka, clientId: string, logger: BusLogger, ensureTopics: (topics: readonly string[]) => Promise<void>, boot: BootRetryOptions): KafkaSubscriber {
  const running = new Set<Subscription>();

  /** A consumer connected and subscribed: at boot Kafka may not answer yet, so each attempt starts a fresh one. */
  async function connectedConsumer(options: SubscribeOptions): Promise<Consumer> {
    return untilKafkaAnswers(
      `subscribe ${options.groupId} to ${options.topics.join(', ')}`,
      async () => {
        const fresh = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: FETCH_WAIT_MS, allowAutoTopicCreation: false, rebalanceTimeout: REBALANCE_TIMEOUT_MS });
        try {
          await ensureTopics(options.topics);
          await fresh.connect();
          await fresh.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? false });
        } catch (error) {
          await fresh.disconnect().catch(() => undefined);
          throw error;
        }
        return fresh;
      },
      boot,
    );
  }

  async function subscribe(options: SubscribeOptions): Promise<Subscription> {
    let consumer = await connectedConsumer(options);
    const failures = new Map<string, number>();
    let stopped = false;
    // Where the current assignment resumes; re-resolved after a failure.
    let starting: Promise<void> = Promise.resolve();
    let assigned: { topic: string; partition: number }[] = [];
    let joined: () => void = () => undefined;
    const firstJoin = new Promise<void>((resolve) => (joined = resolve));

    const resolveStarts = async (): Promise<void> => {
      if (!options.resolveStartOffsets || assigned.length === 0) return;
      const offsets = await options.resolveStartOffsets(assigned);
      for (const { topic, partition, offset } of offsets) consumer.seek({ topic, partition, offset });
    };
    const startsResolved = async (): Promise<void> => {
      for (let attempt = 1; !stopped; attempt += 1) {
        try {
          await starting;
          return;
        } catch (error) {
          logger.error({ error: errorName(error), groupId: options.groupId }, 'resolveStartOffsets failed; retrying');
          await pause(Math.min(MAX_REDELIVERY_PAUSE_MS, 200 * 2 ** attempt));
          starting = resolveStarts();
        }
      }
    };

    /**
     * kafkajs restarts a crashed consumer only after a retriable error; after one it deems final
     * (e.g. KafkaJSGroupCoordinatorNotFound while a fresh broker creates __consumer_offsets) the
     * consumer stays stopped for good. Replace it, so the group consumes again once Kafka answers.
     */
    const replace = async (crashed: Consumer): Promise<void> => {
      await crashed.disconnect().catch(() => undefined);
      await pause(REPLACE_PAUSE_MS);
      if (stopped) return;
      logger.warn({ groupId: options.groupId }, 'starting a new consumer in place of the one that crashed');
      const fresh = await connectedConsumer(options).catch(() => undefined);
      if (!fresh || stopped) {
        await fresh?.disconnect().catch(() => undefined);
        return;
      }
      consumer = fresh;
      await run(fresh);
    };

    const run = (current: Consumer): Promise<void> => {
      current.on(current.events.GROUP_JOIN, ({ payload }) => {
        assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
        starting = resolveStarts();
        starting.catch(() => undefined);
        starting.finally(() => joined()).catch(() => undefined);
      });
      current.on(current.events.CRASH, ({ payload }) => {
        logger.warn({ error: errorName(payload.error), groupId: options.groupId, restart: payload.restart }, 'consumer crashed');
        if (!payload.restart && !stopped) void replace(current);
      });
      return current.run(eachBatch);
    };

    const eachBatch: ConsumerRunConfig = {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        await startsResolved();
        // A seek from resolveStartOffsets makes this batch stale: it starts elsewhere.
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const { topic, partition } = batch;
        const records = batch.messages.map((m) => toConsumedRecord(topic, partition, m));
        const key = `${topic}/${partition}`;
        try {
          await options.handleBatch({ topic, partition, records, highWatermark: batch.highWatermark });
        } catch (error) {
          const count = (failures.get(key) ?? 0) + 1;
          failures.set(key, count);
          logger.warn({ error: errorName(error), groupId: options.groupId, topic, partition, offset: records[0].offset, attempt: count }, 'handleBatch failed; the batch will be delivered again');
          consumer.seek({ topic, partition, offset: records[0].offset });
          // What the handler stored may not be what it was told it stored (a database that crashed
          // loses commits it had acknowledged): ask again where each partition resumes, before
          // any further batch (eachBatch waits for it, retrying while it fails).
          if (options.resolveStartOffsets) {
            starting = resolveStarts();
            starting.catch(() => undefined);
          }
          await pause(Math.min(MAX_REDELIVERY_PAUSE_MS, 100 * 2 ** Math.min(count, 6)));
          return;
        }
        failures.delete(key);
        const last = records[records.length - 1].offset;
        resolveOffset(last);
        await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }] });
        await heartbeat();
      },
    };
    await run(consumer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([firstJoin, new Promise<void>((resolve) => (timer = setTimeout(resolve, JOIN_WAIT_MS)))]);
    clearTimeout(timer);

    const subscription: Subscription = {
      async stop() {
        if (stopped) return;
        stopped = true;
        running.delete(subscription);
        await consumer.stop().catch(() => undefined);
        await consumer.disconnect().catch(() => undefined);
      },
    };
    running.add(subscription);
    return subscription;
  }

  async function readToEnd(topic: string, handle: (record: ConsumedRecord) => void | Promise<void>): Promise<number> {
    const ends = await untilKafkaAnswers(`read ${topic} to its end`, () => endOffsets(topic), boot);
    if (ends.size === 0) return 0;

    // kafkajs has no assign-only consumer: a throwaway group that never commits stands in.
    const consumer: Consumer = kafka.consumer({ groupId: `${clientId}.read-to-end.${randomUUID()}`, maxWaitTimeInMs: 200 });
    let count = 0;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        let failed = false;
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = ends.get(batch.partition);
              if (end === undefined || failed) return;
              try {
                for (const message of batch.messages) {
                  if (BigInt(message.offset) >= end) break;
                  await handle(toConsumedRecord(topic, batch.partition, message));
                  count += 1;
                }
              } catch (error) {
                // The caller's handler failed: stop here and hand its error back.
                failed = true;
                reject(error);
                return;
              }
              if (BigInt(batch.lastOffset()) + 1n >= end) {
                ends.delete(batch.partition);
                if (ends.size === 0) resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
    return count;
  }

  /** Per partition holding records, the offset after its last record; empty for a topic nobody wrote to yet. */
  async function endOffsets(topic: string): Promise<Map<number, bigint>> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      // A topic nobody wrote to yet (a fresh cluster's control topic) reads as empty.
      if (!(await admin.listTopics()).includes(topic)) return new Map();
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  return {
    subscribe,
    readToEnd,
    async stopAll() {
      await Promise.all([...running].map((s) => s.stop()));
    },
  };
}

function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = (Array.isArray(value) ? value[value.length - 1] : value).toString();
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString(),
    value: message.value,
    headers,
    timestamp: message.timestamp,
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
