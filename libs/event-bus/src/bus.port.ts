// The ports every part of authtrail moves events through. Adapters: Kafka (kafkajs) for real
// deployments, in-process for the embedded `npm start` mode. The bus moves encoded records; it
// does not know event types (libs/events encodes and decodes them).

export interface BusRecord {
  readonly topic: string;
  /** Partition key (DESIGN §4): username, else credential fingerprint, else source IP. */
  readonly key: string;
  /** CloudEvents structured JSON. */
  readonly value: Buffer;
  /** Kafka headers; values are strings (e.g. `content-type`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export type PublishMode = 'buffered' | 'strict';

export interface Publisher {
  /**
   * buffered: never waits on Kafka; resolves once the record is accepted into memory or the
   * spool, resolves with `{ dropped: true }` only when both are full.
   * strict: resolves once Kafka acknowledged it (acks from all in-sync replicas), rejects
   * after the configured timeout otherwise.
   */
  publish(record: BusRecord): Promise<PublishResult>;
  /** Sends everything buffered or spooled; used by graceful shutdown. */
  flush(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  stats(): PublisherStats;
}

export interface PublishResult {
  readonly dropped: boolean;
}

export interface PublisherStats {
  readonly published: number;
  readonly acknowledged: number;
  readonly buffered: number;
  readonly spooled: number;
  readonly spoolBytes: number;
  readonly dropped: number;
}

/** A record as consumed, with where it came from. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as a decimal string (64-bit). */
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
  /** The partition's high-water mark at fetch time (the offset the next record will get), for lag. */
  readonly highWatermark: string;
}

export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read. */
  readonly offset: string;
}

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group with no committed offset starts. */
  readonly fromBeginning?: boolean;
  /**
   * Called on partition assignment, and again after every failed handleBatch (for all the
   * member's partitions, before any further batch; retried while it throws); returns where to
   * resume each assigned partition, e.g. the projector's checkpoint stored in Postgres, which a
   * database crash can move back. Partitions it leaves out use committed offsets (after a
   * failure: the failed batch's first record).
   */
  readonly resolveStartOffsets?: (assigned: readonly { topic: string; partition: number }[]) => Promise<readonly TopicPartitionOffset[]>;
  /**
   * Handles one batch. Offsets are committed only after it resolves (manual offset control);
   * if it throws, the batch is delivered again.
   */
  readonly handleBatch: (batch: ConsumedBatch) => Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface Subscriber {
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /**
   * Reads a topic from the beginning to its end as of the call (authn replays control events at
   * start), then resolves. No consumer group is involved.
   */
  readToEnd(topic: string, handle: (record: ConsumedRecord) => void | Promise<void>): Promise<number>;
}

/** How a topic is created when missing. */
export interface TopicSpec {
  readonly partitions: number;
  /** `retention.ms`; absent: the broker default. Decision topics are never compacted (DESIGN §1). */
  readonly retentionMs?: number;
}

export type TopicSpecs = Readonly<Record<string, TopicSpec>>;

export interface BusAdmin {
  /** Creates the topics that do not exist yet; existing topics are left as they are. */
  ensureTopics(specs: TopicSpecs): Promise<void>;
}

/** What both adapters (Kafka, in-process) return. */
export interface EventBus {
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  readonly admin: BusAdmin;
  /** Flushes the publisher, stops every subscription, releases connections and files. */
  close(): Promise<void>;
}
