// Append-only disk spool of BusRecords, the second tier of buffered publishing (DESIGN §4).
//
// Layout: `<dir>/segment-<16-digit id>.spool`, frames as in record-frame.codec.ts. Segments are
// read oldest id first; the writer appends to one active segment and starts a new one past
// `segmentBytes`. A segment is deleted only when the caller releases it, i.e. after Kafka
// acknowledged every record in it. A crash leaves the files; the next `open` finds them.
//
// fsync policy: the active segment is fsynced when it is sealed, on `sync()` (the publisher calls
// it about once a second while it spools) and on `close()`. A process crash loses nothing that
// reached `append` (the kernel has it); a power loss may lose the last second.
//
// Single writer: one process per directory (the caller gives each instance its own dir).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { BusRecord } from '../bus.port';
import { decodeFrames, encodeFrame } from './record-frame.codec';

export interface DiskSpoolOptions {
  readonly dir: string;
  /** Sum of segment sizes `append` will not exceed. */
  readonly maxBytes: number;
  /** Size after which the active segment is sealed and a new one started. */
  readonly segmentBytes?: number;
}

export interface SpoolSegment {
  readonly id: number;
  readonly records: readonly BusRecord[];
  /** Set when the segment ended in a torn or corrupt frame; the records before it are intact. */
  readonly damage?: string;
}

interface SegmentInfo {
  bytes: number;
  records: number;
}

interface ActiveSegment {
  readonly id: number;
  readonly fd: number;
  readonly info: SegmentInfo;
  dirty: boolean;
}

const SEGMENT_PATTERN = /^segment-(\d{16})\.spool$/;
/** Fresh spools start here so that `prepend` has ids below it to use. */
const FIRST_ID = 1_000_000_000_000;
const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;

export class DiskSpool {
  private readonly segments = new Map<number, SegmentInfo>();
  private active: ActiveSegment | undefined;
  private nextId = FIRST_ID;
  private totalBytes = 0;
  private totalRecords = 0;

  private constructor(private readonly options: Required<DiskSpoolOptions>) {}

  /**
   * Accounts for segments a previous process left in `dir`. The directory itself is created at
   * the first write (a strict-mode publisher never makes one).
   */
  static open(options: DiskSpoolOptions): DiskSpool {
    const spool = new DiskSpool({ segmentBytes: DEFAULT_SEGMENT_BYTES, ...options });
    if (!existsSync(options.dir)) return spool;
    for (const name of readdirSync(options.dir)) {
      const match = SEGMENT_PATTERN.exec(name);
      if (!match) continue;
      const id = Number(match[1]);
      const file = path.join(options.dir, name);
      const records = decodeFrames(readFileSync(file)).records.length;
      spool.track(id, { bytes: statSync(file).size, records });
      spool.nextId = Math.max(spool.nextId, id + 1);
    }
    return spool;
  }

  get records(): number {
    return this.totalRecords;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get isEmpty(): boolean {
    return this.segments.size === 0;
  }

  /**
   * Appends records in order until the next one would exceed `maxBytes`; returns how many were
   * written (the caller keeps or drops the rest).
   */
  append(records: readonly BusRecord[]): number {
    let accepted = 0;
    while (accepted < records.length) {
      // No room for the next record: stop before opening a segment, so a full (or disabled,
      // maxBytes 0) spool never tracks an empty segment that `oldest()` would then read.
      if (this.totalBytes + encodeFrame(records[accepted]).length > this.options.maxBytes) return accepted;
      const frames: Buffer[] = [];
      let bytes = 0;
      const segment = this.activeSegment();
      const room = Math.min(this.options.maxBytes - this.totalBytes, this.options.segmentBytes - segment.info.bytes);
      for (let i = accepted; i < records.length; i += 1) {
        const frame = encodeFrame(records[i]);
        const fitsSpool = this.totalBytes + bytes + frame.length <= this.options.maxBytes;
        // A frame bigger than a whole segment still goes into an otherwise empty one.
        const fitsSegment = bytes + frame.length <= room || (frames.length === 0 && segment.info.bytes === 0);
        if (!fitsSpool || !fitsSegment) break;
        frames.push(frame);
        bytes += frame.length;
      }
      if (frames.length === 0) {
        this.seal();
        continue;
      }
      this.write(segment, frames, bytes);
      accepted += frames.length;
      if (segment.info.bytes >= this.options.segmentBytes) this.seal();
    }
    return accepted;
  }

  /**
   * Writes records as a segment that sorts before every existing one: a batch that was taken
   * from memory before these segments were written and then failed keeps its place in line.
   * May exceed `maxBytes` by this one batch (dropping it would lose records already accepted).
   */
  prepend(records: readonly BusRecord[]): void {
    if (records.length === 0) return;
    const id = Math.min(this.nextId, ...this.segments.keys()) - 1;
    const frames = records.map((record) => encodeFrame(record));
    mkdirSync(this.options.dir, { recursive: true });
    const fd = openSync(this.file(id), 'wx');
    try {
      writeSync(fd, Buffer.concat(frames));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.track(id, { bytes: frames.reduce((sum, f) => sum + f.length, 0), records: records.length });
  }

  /** The oldest segment, read whole; seals the active segment when it is the oldest. */
  oldest(): SpoolSegment | undefined {
    if (this.segments.size === 0) return undefined;
    const id = Math.min(...this.segments.keys());
    if (this.active?.id === id) this.seal();
    // Sealing an empty active segment deletes it: the next one is the oldest then.
    if (!this.segments.has(id)) return this.oldest();
    const outcome = decodeFrames(readFileSync(this.file(id)));
    return outcome.kind === 'complete' ? { id, records: outcome.records } : { id, records: outcome.records, damage: outcome.reason };
  }

  /** Deletes a segment whose records Kafka acknowledged. */
  release(id: number): void {
    const info = this.segments.get(id);
    if (!info) return;
    if (this.active?.id === id) this.seal();
    unlinkSync(this.file(id));
    this.segments.delete(id);
    this.totalBytes -= info.bytes;
    this.totalRecords -= info.records;
  }

  /** fsyncs the active segment if anything was written since the last sync. */
  sync(): void {
    if (this.active?.dirty) {
      fsyncSync(this.active.fd);
      this.active.dirty = false;
    }
  }

  close(): void {
    this.seal();
  }

  private activeSegment(): ActiveSegment {
    if (!this.active) {
      const id = this.nextId;
      this.nextId += 1;
      const file = this.file(id);
      mkdirSync(this.options.dir, { recursive: true });
      if (existsSync(file)) throw new Error(`spool segment ${path.basename(file)} already exists`);
      const info = { bytes: 0, records: 0 };
      this.active = { id, fd: openSync(file, 'a'), info, dirty: false };
      this.track(id, info);
    }
    return this.active;
  }

  private write(segment: ActiveSegment, frames: readonly Buffer[], bytes: number): void {
    writeSync(segment.fd, frames.length === 1 ? frames[0] : Buffer.concat(frames, bytes));
    segment.dirty = true;
    segment.info.bytes += bytes;
    segment.info.records += frames.length;
    this.totalBytes += bytes;
    this.totalRecords += frames.length;
  }

  private seal(): void {
    if (!this.active) return;
    const { id, fd, info } = this.active;
    this.active = undefined;
    fsyncSync(fd);
    closeSync(fd);
    // An empty active segment is not worth a file.
    if (info.records === 0) {
      unlinkSync(this.file(id));
      this.segments.delete(id);
    }
  }

  private track(id: number, info: SegmentInfo): void {
    this.segments.set(id, info);
    this.totalBytes += info.bytes;
    this.totalRecords += info.records;
  }

  private file(id: number): string {
    return path.join(this.options.dir, `segment-${String(id).padStart(16, '0')}.spool`);
  }
}
