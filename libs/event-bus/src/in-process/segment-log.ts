// The on-disk part of a persisted in-process partition: segment files
// `<dir>/<20-digit base offset>.log` of record frames (record-frame.codec.ts, version 2 with the
// append time), like Kafka's log segments. Appends go to the newest (active) segment until it
// reaches `segmentBytes`; whole older segments are deleted by retention. Each segment keeps a
// sparse in-memory index (the byte position of every INDEX_EVERY-th record) so that a lagging
// consumer reads from the right place instead of scanning the file.
//
// Writes are plain write(2)s into the page cache: what was written survives a process crash.
// Durability against power loss is the caller's fsync (group-commit.ts) of `syncTarget`.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { ConsumedRecord } from '../bus.port';
import { frameLengthAt, readFrameAt } from '../spool/record-frame.codec';

const INDEX_EVERY = 64;
/** How much of a segment one disk read takes (a consumer batch is ≤ 500 records of ~1–2 KB). */
const READ_CHUNK_BYTES = 2 * 1024 * 1024;
const SEGMENT_NAME = /^(\d{20})\.log$/;

interface Segment {
  readonly base: number;
  readonly file: string;
  count: number;
  bytes: number;
  /** index[i]: byte position of record base + i * INDEX_EVERY. */
  readonly index: number[];
}

export interface SegmentLogOptions {
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
  readonly segmentBytes: number;
  /** A single-file log of an earlier version, adopted as the first segment. */
  readonly legacyFile?: string;
}

export class SegmentLog {
  private readonly segments: Segment[] = [];
  private fd: number;
  /** Descriptors of sealed segments, closed once an fsync that may be using them finished. */
  private retired: number[] = [];

  private constructor(
    private readonly options: SegmentLogOptions,
    /** Damage cut off at load, for the log. */
    readonly repaired: readonly string[],
  ) {
    this.fd = -1;
  }

  /** Loads the segments in `dir` (creating it), cuts a torn tail off each, and opens the newest for appending. */
  static open(options: SegmentLogOptions): SegmentLog {
    mkdirSync(options.dir, { recursive: true });
    if (options.legacyFile && existsSync(options.legacyFile) && readdirSync(options.dir).length === 0) renameSync(options.legacyFile, path.join(options.dir, segmentName(0)));
    const repaired: string[] = [];
    const log = new SegmentLog(options, repaired);
    const bases = readdirSync(options.dir)
      .map((name) => SEGMENT_NAME.exec(name))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const base of bases) {
      const segment = scanSegment(path.join(options.dir, segmentName(base)), base, repaired);
      // A segment cut to nothing below a later one adds no records; drop it so offsets stay ordered.
      if (segment.count === 0 && base !== bases[bases.length - 1]) unlinkSync(segment.file);
      else log.segments.push(segment);
    }
    if (log.segments.length === 0) log.segments.push(emptySegment(options.dir, 0));
    log.fd = openSync(log.active.file, 'a');
    return log;
  }

  get startOffset(): number {
    return this.segments[0].base;
  }

  get endOffset(): number {
    return this.active.base + this.active.count;
  }

  get sizeBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.bytes, 0);
  }

  /** Appends frames (already encoded, offsets endOffset…), rolling to a new segment at segmentBytes. */
  write(frames: readonly Buffer[]): void {
    let from = 0;
    while (from < frames.length) {
      if (this.active.count > 0 && this.active.bytes + frames[from].length > this.options.segmentBytes) this.roll();
      const segment = this.active;
      let to = from;
      let bytes = segment.bytes;
      while (to < frames.length && (to === from || bytes + frames[to].length <= this.options.segmentBytes)) {
        if ((segment.count + to - from) % INDEX_EVERY === 0) segment.index.push(bytes);
        bytes += frames[to].length;
        to += 1;
      }
      const chunk = Buffer.concat(frames.slice(from, to));
      try {
        for (let written = 0; written < chunk.length; ) written += writeSync(this.fd, chunk, written);
      } catch (error) {
        // Nothing of a failed write counts: cut the file back to its last whole frame.
        segment.index.length = Math.ceil(segment.count / INDEX_EVERY);
        ftruncateSync(this.fd, segment.bytes);
        throw error;
      }
      segment.bytes = bytes;
      segment.count += to - from;
      from = to;
    }
  }

  /** The descriptor an fsync must cover (sealed segments were fsynced when sealed). */
  get syncTarget(): number {
    return this.fd;
  }

  /** After an fsync of an earlier syncTarget finished: sealed segments' descriptors can close. */
  synced(): void {
    for (const fd of this.retired.splice(0)) closeSync(fd);
  }

  /** Up to `max` records from `from` (or the next offset that exists), below `before`. */
  read(from: number, max: number, before: number): ConsumedRecord[] {
    let i = this.segmentIndexOf(from);
    if (i < 0) return [];
    let segment = this.segments[i];
    if (from >= segment.base + segment.count) {
      if (i + 1 >= this.segments.length) return [];
      segment = this.segments[(i += 1)];
      from = segment.base;
    }
    const slot = Math.floor((from - segment.base) / INDEX_EVERY);
    let offset = segment.base + slot * INDEX_EVERY;
    let position = segment.index[slot];
    const out: ConsumedRecord[] = [];
    const fd = openSync(segment.file, 'r');
    try {
      while (out.length < max && offset < before && offset < segment.base + segment.count) {
        const chunk = readAt(fd, position, Math.min(READ_CHUNK_BYTES, segment.bytes - position));
        let at = 0;
        const needed = frameLengthAt(chunk, 0);
        // One frame larger than the chunk: read exactly that frame.
        const buffer = needed !== undefined && needed > chunk.length ? readAt(fd, position, needed) : chunk;
        while (at < buffer.length && out.length < max && offset < before) {
          const frame = readFrameAt(buffer, at);
          if (frame.kind === 'damaged') break;
          if (offset >= from) out.push(consumed(this.options, offset, frame.record));
          at = frame.next;
          offset += 1;
        }
        if (at === 0) break;
        position += at;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  /** Deletes whole sealed segments that end at or below `offset`; the active segment always stays. */
  deleteBelow(offset: number): number {
    let deleted = 0;
    while (this.segments.length > 1 && this.segments[0].base + this.segments[0].count <= offset) {
      const [segment] = this.segments.splice(0, 1);
      unlinkSync(segment.file);
      deleted += 1;
    }
    return deleted;
  }

  close(): void {
    if (this.fd >= 0) fsyncSync(this.fd);
    this.synced();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /**
   * Seals the active segment. Its fsync here is short (the group commits already synced all but
   * the last group); its descriptor closes only after an fsync in flight on it finished.
   */
  private roll(): void {
    fsyncSync(this.fd);
    this.retired.push(this.fd);
    const segment = emptySegment(this.options.dir, this.endOffset);
    this.segments.push(segment);
    this.fd = openSync(segment.file, 'a');
  }

  private segmentIndexOf(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    if (offset < this.segments[0].base) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].base <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function segmentName(base: number): string {
  return `${String(base).padStart(20, '0')}.log`;
}

function emptySegment(dir: string, base: number): Segment {
  return { base, file: path.join(dir, segmentName(base)), count: 0, bytes: 0, index: [] };
}

/** Counts and indexes a segment's frames; a damaged tail (a crash mid-write) is cut off the file. */
function scanSegment(file: string, base: number, repaired: string[]): Segment {
  const buffer = readFileSync(file);
  const segment: Segment = { base, file, count: 0, bytes: 0, index: [] };
  let at = 0;
  while (at < buffer.length) {
    const frame = readFrameAt(buffer, at);
    if (frame.kind === 'damaged') {
      repaired.push(`${path.basename(file)}: ${frame.reason} at byte ${at}`);
      const fd = openSync(file, 'r+');
      ftruncateSync(fd, at);
      closeSync(fd);
      break;
    }
    if (segment.count % INDEX_EVERY === 0) segment.index.push(at);
    segment.count += 1;
    at = frame.next;
  }
  segment.bytes = at;
  return segment;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}

function consumed(options: SegmentLogOptions, offset: number, record: { key: string; value: Buffer; headers?: Readonly<Record<string, string>>; timestamp?: number }): ConsumedRecord {
  return { topic: options.topic, partition: options.partition, offset: String(offset), key: record.key, value: record.value, headers: { ...record.headers }, timestamp: String(record.timestamp ?? 0) };
}
