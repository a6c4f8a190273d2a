// One partition of the in-process bus. The newest records are kept in memory; a persisted
// partition also has every record on disk (segment-log.ts), where a lagging consumer reads them.
//
// A persisted append is only in memory until the group commit (group-commit.ts) writes it and
// fsyncs it off the request's turn; consumers see a record once it is fsynced (`endOffset`), so
// nothing they projected can vanish with a power loss and come back under another offset.
import type { BusRecord, ConsumedRecord } from '../bus.port';
import { encodeFrame } from '../spool/record-frame.codec';
import type { SegmentLog } from './segment-log';

interface Stored {
  readonly record: BusRecord;
  readonly timestamp: number;
}

export interface MemoryLimits {
  /** Newest records kept beyond what consumer groups still need (memory and disk). */
  readonly retainRecords: number;
  /** Memory-only partitions never hold more than this many records, needed or not. */
  readonly maxRecords: number;
}

export class PartitionLog {
  private cache: Stored[] = [];
  /** Records written since the last write to disk, already encoded. */
  private pending: Buffer[] = [];
  private pendingBytesCount = 0;
  private written: number;
  private durable: number;
  private waiters: { readonly offset: number; readonly resolve: () => void }[] = [];
  /** The oldest offset a consumer group still needs (retention sets it; until then: everything). */
  private neededFrom = 0;
  /** Records a memory-only partition evicted before every group had read them (maxRecords). */
  evictedUnread = 0;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    /** Offset of cache[0]. */
    private cacheStart: number,
    private readonly limits: MemoryLimits,
    private readonly disk: SegmentLog | undefined,
  ) {
    this.written = cacheStart;
    this.durable = cacheStart;
  }

  /** Memory only; offsets start at `baseOffset`. */
  static inMemory(topic: string, partition: number, baseOffset: number, limits: MemoryLimits): PartitionLog {
    return new PartitionLog(topic, partition, baseOffset, limits, undefined);
  }

  /** Backed by segment files: offsets continue where the files end. */
  static persisted(topic: string, partition: number, disk: SegmentLog, limits: MemoryLimits): PartitionLog {
    return new PartitionLog(topic, partition, disk.endOffset, limits, disk);
  }

  get persisted(): boolean {
    return this.disk !== undefined;
  }

  get startOffset(): number {
    return this.disk ? this.disk.startOffset : this.cacheStart;
  }

  /** The end consumers see: fsynced records of a persisted partition, every record of a memory-only one. */
  get endOffset(): number {
    return this.disk ? this.durable : this.appendedEnd;
  }

  get pendingBytes(): number {
    return this.pendingBytesCount;
  }

  /** Appended, not yet fsynced. */
  get undurable(): number {
    return this.disk ? this.appendedEnd - this.durable : 0;
  }

  get diskBytes(): number {
    return this.disk?.sizeBytes ?? 0;
  }

  append(record: BusRecord, timestamp: number): number {
    const offset = this.appendedEnd;
    this.cache.push({ record, timestamp });
    if (this.disk) {
      const frame = encodeFrame(record, timestamp);
      this.pending.push(frame);
      this.pendingBytesCount += frame.length;
    }
    this.trimMemory();
    return offset;
  }

  /** Resolves once everything appended so far is fsynced. */
  whenAllDurable(): Promise<void> {
    return this.whenDurable(this.appendedEnd - 1);
  }

  /** Resolves once the record at `offset` is fsynced (at once for a memory-only partition). */
  whenDurable(offset: number): Promise<void> {
    if (!this.disk || offset < this.durable) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ offset, resolve }));
  }

  /** Writes what was appended since the last call; returns the end an fsync of `syncTarget` will make durable. */
  writePending(): number {
    if (!this.disk || this.pending.length === 0) return this.written;
    this.disk.write(this.pending);
    this.written += this.pending.length;
    this.pending = [];
    this.pendingBytesCount = 0;
    return this.written;
  }

  get writtenEnd(): number {
    return this.written;
  }

  get syncTarget(): number | undefined {
    return this.disk?.syncTarget;
  }

  /** An fsync that started when `end` was written finished: records below `end` are durable. */
  markDurable(end: number): void {
    this.disk?.synced();
    if (end <= this.durable) return;
    this.durable = end;
    let resolved = 0;
    while (resolved < this.waiters.length && this.waiters[resolved].offset < end) this.waiters[resolved++].resolve();
    if (resolved > 0) this.waiters.splice(0, resolved);
    this.trimMemory();
  }

  /** When the record at `offset` was appended; 0 (long ago) once it is only on disk. */
  appendTimeOf(offset: number): number {
    return this.cache[offset - this.cacheStart]?.timestamp ?? 0;
  }

  read(from: number, max: number): ConsumedRecord[] {
    const end = this.endOffset;
    let first = Math.max(from, this.startOffset);
    if (first >= end) return [];
    if (first < this.cacheStart && this.disk) {
      const fromDisk = this.disk.read(first, max, Math.min(this.cacheStart, end));
      if (fromDisk.length > 0) return fromDisk;
    }
    first = Math.max(first, this.cacheStart);
    return this.cache.slice(first - this.cacheStart, Math.min(end, first + max) - this.cacheStart).map(({ record, timestamp }, i) => ({
      topic: this.topic,
      partition: this.partition,
      offset: String(first + i),
      key: record.key,
      value: record.value,
      headers: { ...record.headers },
      timestamp: String(timestamp),
    }));
  }

  /**
   * Retention: `neededFrom` is the oldest offset any consumer group still needs (Infinity: none
   * does). Keeps that and the newest `retainRecords`; deletes older whole disk segments.
   */
  retain(neededFrom: number, onDisk: boolean): number {
    this.neededFrom = neededFrom;
    this.trimMemory();
    return onDisk && this.disk ? this.disk.deleteBelow(Math.min(neededFrom, this.durable - this.limits.retainRecords)) : 0;
  }

  /** Writes and fsyncs what is pending, resolves its waiters and closes the files (shutdown). */
  close(): void {
    if (!this.disk) return;
    const end = this.writePending();
    this.disk.close();
    this.markDurable(end);
  }

  private get appendedEnd(): number {
    return this.cacheStart + this.cache.length;
  }

  /**
   * Memory holds the newest `retainRecords` records; a persisted partition also everything not yet
   * written (disk serves the rest), a memory-only one also what a group still needs, up to
   * `maxRecords`. Trimmed in chunks, not per append.
   */
  private trimMemory(): void {
    const end = this.appendedEnd;
    const tail = end - this.limits.retainRecords;
    const keepFrom = this.disk ? Math.min(tail, this.written) : Math.max(Math.min(tail, this.neededFrom), end - this.limits.maxRecords);
    const excess = keepFrom - this.cacheStart;
    if (excess <= Math.max(64, (end - keepFrom) >> 3)) return;
    if (!this.disk && this.neededFrom < keepFrom) this.evictedUnread += keepFrom - Math.max(this.cacheStart, this.neededFrom);
    this.cache.splice(0, excess);
    this.cacheStart = keepFrom;
  }
}
