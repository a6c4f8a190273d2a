// createInProcessBus: the same ports without Kafka, for the embedded `npm start` mode.
//
// Publishing appends to a partition log and resolves: there is no broker to wait for, so
// buffered and strict are the same here. Topics listed in `persistTopics` (the control topic by
// default) are also appended to files under `<dataDir>/bus/` and reloaded at start, so policy
// versions and revocations survive a restart; other topics (decisions) live in memory only and
// keep the newest `maxRecordsPerPartition` records per partition — the embedded read models
// already hold what was projected from them.
import type { Registry } from 'prom-client';
import { PublishError } from '../bus.errors';
import { type BusLogger, silentLogger } from '../bus.logger';
import { createBusMetrics } from '../bus.metrics';
import type { BusRecord, ConsumedRecord, EventBus, Publisher, PublishResult, SubscribeOptions, Subscriber, Subscription, TopicSpecs } from '../bus.port';
import { GroupMember, InProcessGroup } from './in-process-group';
import { InProcessTopics } from './in-process-topics';

export interface InProcessBusOptions {
  /** Where persisted topics are kept (`<dataDir>/bus/<topic>-<partition>.log`); absent: nothing persists. */
  readonly dataDir?: string;
  /** Topics written to disk; default the control topic of DESIGN §4. */
  readonly persistTopics?: readonly string[];
  readonly topics?: TopicSpecs;
  /** Memory-only topics keep this many newest records per partition. */
  readonly maxRecordsPerPartition?: number;
  readonly logger?: BusLogger;
  readonly metrics?: Registry;
}

/** DESIGN §4's control topic (libs/events TOPICS.control; the bus does not depend on libs/events). */
export const DEFAULT_PERSISTED_TOPICS: readonly string[] = ['authtrail.control.v1'];
const DEFAULT_MAX_RECORDS_PER_PARTITION = 100_000;
const ACCEPTED: Promise<PublishResult> = Promise.resolve({ dropped: false });

export function createInProcessBus(options: InProcessBusOptions = {}): EventBus {
  const logger = options.logger ?? silentLogger;
  const metrics = createBusMetrics(options.metrics, 'in-process');
  const topics = new InProcessTopics({
    dataDir: options.dataDir,
    persistTopics: options.persistTopics ?? DEFAULT_PERSISTED_TOPICS,
    topics: options.topics ?? {},
    maxRecordsPerPartition: options.maxRecordsPerPartition ?? DEFAULT_MAX_RECORDS_PER_PARTITION,
    logger,
  });
  const groups = new Map<string, InProcessGroup>();
  const subscriptions = new Set<Subscription>();
  topics.onTopicCreated(() => groups.forEach((g) => g.topicsChanged()));
  let closed = false;
  let publisherClosed = false;
  let published = 0;

  const publisher: Publisher = {
    publish(record: BusRecord): Promise<PublishResult> {
      if (closed || publisherClosed) return Promise.reject(new PublishError('publisher_closed', 'the event publisher is closed'));
      try {
        topics.partitionFor(record.topic, record.key).append(record, Date.now());
      } catch (error) {
        return Promise.reject(error);
      }
      published += 1;
      metrics.published(record.topic);
      metrics.acknowledged(record.topic, 1);
      groups.forEach((g) => g.wake());
      return ACCEPTED;
    },
    flush: () => Promise.resolve(),
    close: () => {
      publisherClosed = true;
      return Promise.resolve();
    },
    stats: () => ({ published, acknowledged: published, buffered: 0, spooled: 0, spoolBytes: 0, dropped: 0 }),
  };

  const subscriber: Subscriber = {
    async subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
      if (closed) throw new PublishError('publisher_closed', 'the event bus is closed');
      const group = groups.get(subscribeOptions.groupId) ?? new InProcessGroup(subscribeOptions.groupId, topics, logger);
      groups.set(subscribeOptions.groupId, group);
      const member = new GroupMember(subscribeOptions);
      await group.join(member);
      let stopped = false;
      const subscription: Subscription = {
        async stop() {
          if (stopped) return;
          stopped = true;
          subscriptions.delete(subscription);
          await group.leave(member);
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },
    async readToEnd(topic: string, handle: (record: ConsumedRecord) => void | Promise<void>): Promise<number> {
      let count = 0;
      // Ends as of the call: records published while reading are not part of it.
      const ends = topics.partitions(topic).map((log) => ({ log, end: log.endOffset }));
      for (const { log, end } of ends) {
        for (let offset = log.startOffset; offset < end; ) {
          const batch = log.read(offset, Math.min(500, end - offset));
          if (batch.length === 0) break;
          for (const record of batch) await handle(record);
          count += batch.length;
          offset = Number(batch[batch.length - 1].offset) + 1;
        }
      }
      return count;
    },
  };

  return {
    publisher,
    subscriber,
    admin: {
      ensureTopics(specs) {
        for (const [topic, spec] of Object.entries(specs)) topics.ensure(topic, spec);
        return Promise.resolve();
      },
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      topics.close();
    },
  };
}
