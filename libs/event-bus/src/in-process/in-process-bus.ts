// createInProcessBus: the same ports without Kafka, for the embedded `npm start` mode.
//
// Publishing appends to a partition log. Topics listed in `persistTopics` (the control topic by
// default; `npm start` adds the decisions) are also written to segment files under
// `<dataDir>/bus/` by a group commit off the publishing turn, and reloaded at start; other topics
// live in memory only. Memory keeps the newest `retainRecords` records per partition (and, for a
// memory-only topic, what its consumer groups still need); retention deletes disk segments every
// consumer group has read and that are older than the newest `retainRecords`. buffered: publish
// resolves at once; strict: once the record is fsynced (docs/event-bus.md).
import type { Registry } from 'prom-client';
import { PublishError } from '../bus.errors';
import { type BusLogger, silentLogger } from '../bus.logger';
import { createBusMetrics } from '../bus.metrics';
import type { BusRecord, ConsumedRecord, EventBus, Publisher, PublishMode, PublishResult, SubscribeOptions, Subscriber, Subscription, TopicSpecs } from '../bus.port';
import { GroupCommit } from './group-commit';
import { GroupOffsets } from './group-offsets';
import { GroupMember, InProcessGroup } from './in-process-group';
import { InProcessTopics } from './in-process-topics';

export interface InProcessBusOptions {
  /** Where persisted topics and group offsets are kept (`<dataDir>/bus/`); absent: nothing persists. */
  readonly dataDir?: string;
  /** Topics written to disk; default the control topic of DESIGN §4. */
  readonly persistTopics?: readonly string[];
  /** Persisted topics retention never trims; default the control topic. */
  readonly keepTopics?: readonly string[];
  readonly topics?: TopicSpecs;
  /** buffered (default): publish resolves at once; strict: once the record is fsynced. */
  readonly mode?: PublishMode;
  /** Newest records per partition kept beyond what consumer groups still need (memory and disk). */
  readonly retainRecords?: number;
  /** Memory-only topics never keep more than this many records per partition. */
  readonly maxRecordsPerPartition?: number;
  /** Size at which a persisted partition starts a new segment file. */
  readonly segmentBytes?: number;
  /** How long appends collect before they are written and fsynced as one group. */
  readonly commitIntervalMs?: number;
  /**
   * Consumers get a partition's records once FETCH_MIN_RECORDS are there or the oldest has waited
   * this long (Kafka's fetch.min.bytes / fetch.max.wait.ms): fewer, larger batches — for the
   * projector, one transaction per batch instead of one per request. 0 (default): at once.
   */
  readonly fetchMaxWaitMs?: number;
  readonly logger?: BusLogger;
  readonly metrics?: Registry;
}

/** DESIGN §4's control topic (libs/events TOPICS.control; the bus does not depend on libs/events). */
export const DEFAULT_PERSISTED_TOPICS: readonly string[] = ['authtrail.control.v1'];
export const IN_PROCESS_DEFAULTS = { retainRecords: 10_000, maxRecordsPerPartition: 100_000, segmentBytes: 64 * 1024 * 1024, commitIntervalMs: 5 } as const;
const RETENTION_EVERY_MS = 1_000;
const ACCEPTED: PublishResult = { dropped: false };

export function createInProcessBus(options: InProcessBusOptions = {}): EventBus {
  const logger = options.logger ?? silentLogger;
  const metrics = createBusMetrics(options.metrics, 'in-process');
  const persistTopics = options.persistTopics ?? DEFAULT_PERSISTED_TOPICS;
  const topics = new InProcessTopics({
    dataDir: options.dataDir,
    persistTopics,
    keepTopics: options.keepTopics ?? DEFAULT_PERSISTED_TOPICS,
    topics: options.topics ?? {},
    retainRecords: options.retainRecords ?? IN_PROCESS_DEFAULTS.retainRecords,
    maxRecordsPerPartition: options.maxRecordsPerPartition ?? IN_PROCESS_DEFAULTS.maxRecordsPerPartition,
    segmentBytes: options.segmentBytes ?? IN_PROCESS_DEFAULTS.segmentBytes,
    logger,
  });
  const offsets = new GroupOffsets(options.dataDir === undefined ? undefined : `${options.dataDir}/bus/groups`, logger);
  const groups = new Map<string, InProcessGroup>();
  const subscriptions = new Set<Subscription>();
  const strict = options.mode === 'strict';

  // Consumers run on a later turn than the publish, so a request's turn never builds their work.
  let wakeScheduled: NodeJS.Immediate | undefined;
  const wakeGroups = () => {
    wakeScheduled ??= setImmediate(() => {
      wakeScheduled = undefined;
      groups.forEach((g) => g.wake());
    });
  };
  const commit = new GroupCommit(options.commitIntervalMs ?? IN_PROCESS_DEFAULTS.commitIntervalMs, wakeGroups, logger);
  topics.onTopicCreated(() => groups.forEach((g) => g.topicsChanged()));

  const persistedLogs = () => [...topics.all()].flatMap(([, logs]) => logs.filter((log) => log.persisted));

  let evictedUnread = 0;
  const applyRetention = () => {
    const deleted = topics.retain((topic, partition) => {
      let needed = Number.POSITIVE_INFINITY;
      for (const [groupId, committed] of offsets.entries()) {
        const live = groups.get(groupId);
        const need = live ? live.needs(topic, partition) : committed.get(`${topic}\u0000${partition}`);
        if (need !== undefined) needed = Math.min(needed, need);
      }
      return needed;
    });
    if (deleted > 0) logger.info({ segments: deleted }, 'retention deleted event log segments every consumer group had read');
    const evicted = [...topics.all()].reduce((sum, [, logs]) => logs.reduce((s, log) => s + log.evictedUnread, sum), 0);
    if (evicted > evictedUnread) logger.warn({ records: evicted - evictedUnread }, 'memory-only topic records were evicted before every consumer group read them (maxRecordsPerPartition)');
    evictedUnread = evicted;
  };
  const retentionTimer = setInterval(applyRetention, RETENTION_EVERY_MS).unref();

  let closed = false;
  let publisherClosed = false;
  let published = 0;

  const publisher: Publisher = {
    publish(record: BusRecord): Promise<PublishResult> {
      if (closed || publisherClosed) return Promise.reject(new PublishError('publisher_closed', 'the event publisher is closed'));
      let log;
      let offset: number;
      try {
        log = topics.partitionFor(record.topic, record.key);
        offset = log.append(record, Date.now());
      } catch (error) {
        return Promise.reject(error);
      }
      published += 1;
      metrics.published(record.topic);
      metrics.acknowledged(record.topic, 1);
      if (!log.persisted) {
        wakeGroups();
        return Promise.resolve(ACCEPTED);
      }
      commit.appendedTo(log);
      return strict ? log.whenDurable(offset).then(() => ACCEPTED) : Promise.resolve(ACCEPTED);
    },
    flush: () => commit.flush(persistedLogs()),
    close: () => {
      publisherClosed = true;
      return Promise.resolve();
    },
    stats: () => {
      const undurable = [...topics.all()].reduce((sum, [, logs]) => logs.reduce((s, log) => s + log.undurable, sum), 0);
      const diskBytes = [...topics.all()].reduce((sum, [, logs]) => logs.reduce((s, log) => s + log.diskBytes, sum), 0);
      return { published, acknowledged: published - undurable, buffered: undurable, spooled: 0, spoolBytes: diskBytes, dropped: 0 };
    },
  };

  const subscriber: Subscriber = {
    async subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
      if (closed) throw new PublishError('publisher_closed', 'the event bus is closed');
      const groupId = subscribeOptions.groupId;
      const group = groups.get(groupId) ?? new InProcessGroup(groupId, topics, offsets.of(groupId), () => offsets.changed(groupId), logger, options.fetchMaxWaitMs ?? 0);
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
      // Ends as of the call: what was published before it, and not what is published while reading.
      await commit.flush(topics.partitions(topic));
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
      clearInterval(retentionTimer);
      clearImmediate(wakeScheduled);
      commit.close();
      topics.close();
      offsets.close();
    },
  };
}
