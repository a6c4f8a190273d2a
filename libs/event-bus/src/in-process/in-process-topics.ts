// The topics of the in-process bus: partition logs, created on first use, which of them are
// persisted under dataDir, and their retention.
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { BusLogger } from '../bus.logger';
import type { TopicSpec, TopicSpecs } from '../bus.port';
import { PartitionLog } from './partition-log';
import { SegmentLog } from './segment-log';

/** Kafka's legal topic characters; persisted topics become file names, so this also guards paths. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export interface InProcessTopicsOptions {
  readonly dataDir?: string;
  readonly persistTopics: readonly string[];
  /** Persisted topics whose segments retention never deletes (the control topic). */
  readonly keepTopics: readonly string[];
  readonly topics: TopicSpecs;
  readonly retainRecords: number;
  readonly maxRecordsPerPartition: number;
  readonly segmentBytes: number;
  readonly logger: BusLogger;
}

export class InProcessTopics {
  private readonly logs = new Map<string, PartitionLog[]>();
  private readonly listeners: Array<() => void> = [];
  /**
   * Memory-only topics start their offsets at the start time in microseconds, so offsets keep
   * growing across restarts: a checkpoint from an earlier run (the projector's) points below the
   * new log start and reading resumes at the log start, like Kafka after retention, instead of
   * skipping the first new records.
   */
  private readonly baseOffset = Date.now() * 1000;

  constructor(private readonly options: InProcessTopicsOptions) {
    if (options.dataDir) {
      const dir = this.dir();
      mkdirSync(dir, { recursive: true });
      for (const topic of options.persistTopics) if (readdirSync(dir).some((f) => f.startsWith(`${topic}-`))) this.ensure(topic);
    }
  }

  all(): IterableIterator<[string, PartitionLog[]]> {
    return this.logs.entries();
  }

  /**
   * Applies retention to every partition: `needs` says the oldest offset a consumer group still
   * needs (Infinity: none). Returns the number of disk segments deleted.
   */
  retain(needs: (topic: string, partition: number) => number): number {
    let deleted = 0;
    for (const [topic, logs] of this.logs) for (const log of logs) deleted += log.retain(needs(topic, log.partition), !this.options.keepTopics.includes(topic));
    return deleted;
  }

  /** Creates a topic that does not exist; an existing topic keeps its partitions. */
  ensure(topic: string, spec?: TopicSpec): PartitionLog[] {
    const existing = this.logs.get(topic);
    if (existing) return existing;
    if (!TOPIC_NAME.test(topic)) throw new RangeError('topic names are 1-249 characters of a-z A-Z 0-9 . _ -');
    const partitions = Math.max(1, spec?.partitions ?? this.options.topics[topic]?.partitions ?? 1, this.persistedPartitions(topic));
    const logs = Array.from({ length: partitions }, (_, partition) => this.open(topic, partition));
    this.logs.set(topic, logs);
    for (const listener of this.listeners) listener();
    return logs;
  }

  partitionFor(topic: string, key: string): PartitionLog {
    const logs = this.ensure(topic);
    return logs[crc32(key) % logs.length];
  }

  partitions(topic: string): readonly PartitionLog[] {
    return this.logs.get(topic) ?? [];
  }

  onTopicCreated(listener: () => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    for (const logs of this.logs.values()) for (const log of logs) log.close();
  }

  private open(topic: string, partition: number): PartitionLog {
    const limits = { retainRecords: this.options.retainRecords, maxRecords: this.options.maxRecordsPerPartition };
    if (!this.isPersisted(topic)) return PartitionLog.inMemory(topic, partition, this.baseOffset, limits);
    const name = `${topic}-${partition}`;
    const disk = SegmentLog.open({ dir: path.join(this.dir(), name), topic, partition, segmentBytes: this.options.segmentBytes, legacyFile: path.join(this.dir(), `${name}.log`) });
    for (const damage of disk.repaired) this.options.logger.warn({ topic, partition, damage }, 'cut a torn tail off a persisted topic segment');
    return PartitionLog.persisted(topic, partition, disk, limits);
  }

  private isPersisted(topic: string): boolean {
    return this.options.dataDir !== undefined && this.options.persistTopics.includes(topic);
  }

  private persistedPartitions(topic: string): number {
    if (!this.isPersisted(topic)) return 0;
    const pattern = new RegExp(`^${topic.replace(/[.]/g, '\\.')}-(\\d+)(\\.log)?$`);
    const found = readdirSync(this.dir()).map((f) => pattern.exec(f)).filter((m) => m !== null);
    return found.length === 0 ? 0 : Math.max(...found.map((m) => Number(m[1]))) + 1;
  }

  private dir(): string {
    return path.join(this.options.dataDir ?? '.', 'bus');
  }
}
