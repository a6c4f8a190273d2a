// One partition of the in-process bus: records in memory, optionally mirrored to an append-only
// file (frames of record-frame.codec.ts, fsynced per append) that is reloaded at start.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import type { BusRecord, ConsumedRecord } from '../bus.port';
import { decodeFrames, encodeFrame } from '../spool/record-frame.codec';

interface Stored {
  readonly record: BusRecord;
  readonly timestamp: number;
}

export class PartitionLog {
  private records: Stored[] = [];
  private fd: number | undefined;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    /** Offset of records[0]. */
    private start: number,
    private readonly maxRecords: number,
  ) {}

  /** Memory only; offsets start at `baseOffset`, the oldest records go beyond `maxRecords`. */
  static inMemory(topic: string, partition: number, baseOffset: number, maxRecords: number): PartitionLog {
    return new PartitionLog(topic, partition, baseOffset, maxRecords);
  }

  /**
   * Backed by `file`: loads what is there (offsets from 0, never trimmed) and cuts off a torn
   * tail left by a crash. Returns the damage it repaired, if any.
   */
  static persisted(topic: string, partition: number, file: string): { log: PartitionLog; repaired?: string } {
    const log = new PartitionLog(topic, partition, 0, Number.POSITIVE_INFINITY);
    let repaired: string | undefined;
    if (existsSync(file)) {
      const outcome = decodeFrames(readFileSync(file));
      if (outcome.kind === 'truncated') {
        truncateSync(file, outcome.validBytes);
        repaired = outcome.reason;
      }
      log.records = outcome.records.map(({ timestamp, ...record }) => ({ record, timestamp: timestamp ?? 0 }));
    }
    log.fd = openSync(file, 'a');
    return repaired === undefined ? { log } : { log, repaired };
  }

  get startOffset(): number {
    return this.start;
  }

  get endOffset(): number {
    return this.start + this.records.length;
  }

  append(record: BusRecord, timestamp: number): number {
    if (this.fd !== undefined) {
      // Control events are few and must survive a crash: fsync each one.
      writeSync(this.fd, encodeFrame(record, timestamp));
      fsyncSync(this.fd);
    }
    this.records.push({ record, timestamp });
    // Trim in chunks, not per append.
    if (this.records.length > this.maxRecords + Math.max(1, Math.floor(this.maxRecords / 10))) {
      const excess = this.records.length - this.maxRecords;
      this.records = this.records.slice(excess);
      this.start += excess;
    }
    return this.endOffset - 1;
  }

  read(from: number, max: number): ConsumedRecord[] {
    const first = Math.max(from, this.start);
    return this.records.slice(first - this.start, first - this.start + max).map(({ record, timestamp }, i) => ({
      topic: this.topic,
      partition: this.partition,
      offset: String(first + i),
      key: record.key,
      value: record.value,
      headers: { ...record.headers },
      timestamp: String(timestamp),
    }));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
