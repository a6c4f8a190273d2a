// The on-disk form of a BusRecord, shared by the Kafka adapter's spool and the in-process
// adapter's persisted topics. One frame:
//
//   u32 BE payload length | u32 BE CRC-32 of payload | payload
//   payload = u8 version | [version 2: f64 BE timestamp ms] | u16 topic length | topic
//           | u32 key length | key | u32 headers length | headers JSON | u32 value length | value
//
// Version 1 (the spool) carries no timestamp; version 2 (the in-process adapter's persisted
// topics) keeps the append time so that a reloaded record has the timestamp it was given.
//
// The checksum lets a reader stop at a torn tail (a crash in the middle of a write) instead of
// handing garbage to Kafka. Pure functions: no I/O here.
import { crc32 } from 'node:zlib';
import type { BusRecord } from '../bus.port';

const PLAIN = 1;
const TIMED = 2;
const FRAME_HEADER_BYTES = 8;
/** A length above this is corruption, not a record (Kafka's own default limit is ~1 MiB). */
export const MAX_FRAME_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** A decoded record, with its append time when the frame carried one. */
export type FramedRecord = BusRecord & { readonly timestamp?: number };

export function encodeFrame(record: BusRecord, timestamp?: number): Buffer {
  const topic = Buffer.from(record.topic, 'utf8');
  const key = Buffer.from(record.key, 'utf8');
  const headers = Buffer.from(JSON.stringify(record.headers ?? {}), 'utf8');
  const payloadLength = 1 + (timestamp === undefined ? 0 : 8) + 2 + topic.length + 4 + key.length + 4 + headers.length + 4 + record.value.length;
  if (topic.length > 0xffff) throw new RangeError('topic name longer than 65535 bytes');
  if (payloadLength > MAX_FRAME_PAYLOAD_BYTES) throw new RangeError(`record larger than ${MAX_FRAME_PAYLOAD_BYTES} bytes`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadLength);
  let at = FRAME_HEADER_BYTES;
  at = frame.writeUInt8(timestamp === undefined ? PLAIN : TIMED, at);
  if (timestamp !== undefined) at = frame.writeDoubleBE(timestamp, at);
  at = frame.writeUInt16BE(topic.length, at);
  at += topic.copy(frame, at);
  at = frame.writeUInt32BE(key.length, at);
  at += key.copy(frame, at);
  at = frame.writeUInt32BE(headers.length, at);
  at += headers.copy(frame, at);
  at = frame.writeUInt32BE(record.value.length, at);
  record.value.copy(frame, at);
  frame.writeUInt32BE(payloadLength, 0);
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

export function encodeFrames(records: readonly BusRecord[]): Buffer {
  return Buffer.concat(records.map((record) => encodeFrame(record)));
}

export type DecodeOutcome =
  | { readonly kind: 'complete'; readonly records: readonly FramedRecord[]; readonly validBytes: number }
  /** Frames up to `validBytes` are good; what follows is torn or corrupt and must be ignored. */
  | { readonly kind: 'truncated'; readonly records: readonly FramedRecord[]; readonly validBytes: number; readonly reason: string };

export function decodeFrames(buffer: Buffer): DecodeOutcome {
  const records: FramedRecord[] = [];
  let at = 0;
  while (at < buffer.length) {
    const frame = readFrameAt(buffer, at);
    if (frame.kind === 'damaged') return { kind: 'truncated', records, validBytes: at, reason: frame.reason };
    records.push(frame.record);
    at = frame.next;
  }
  return { kind: 'complete', records, validBytes: at };
}

export type FrameAt = { readonly kind: 'frame'; readonly record: FramedRecord; readonly next: number } | { readonly kind: 'damaged'; readonly reason: string };

/** The frame that starts at byte `at` (a reader of a file part; a frame cut by the buffer's end reads as torn). */
export function readFrameAt(buffer: Buffer, at: number): FrameAt {
  const problem = frameProblem(buffer, at);
  if (problem) return { kind: 'damaged', reason: problem };
  const payloadLength = buffer.readUInt32BE(at);
  const record = decodePayload(buffer.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + payloadLength));
  if (record === undefined) return { kind: 'damaged', reason: 'malformed payload' };
  return { kind: 'frame', record, next: at + FRAME_HEADER_BYTES + payloadLength };
}

/** The whole length of the frame starting at `at` as its header says, or undefined when the header itself is cut. */
export function frameLengthAt(buffer: Buffer, at: number): number | undefined {
  return buffer.length - at < FRAME_HEADER_BYTES ? undefined : FRAME_HEADER_BYTES + buffer.readUInt32BE(at);
}

function frameProblem(buffer: Buffer, at: number): string | undefined {
  if (buffer.length - at < FRAME_HEADER_BYTES) return 'torn frame header';
  const payloadLength = buffer.readUInt32BE(at);
  if (payloadLength > MAX_FRAME_PAYLOAD_BYTES) return 'frame length out of range';
  if (buffer.length - at - FRAME_HEADER_BYTES < payloadLength) return 'torn frame payload';
  const payload = buffer.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + payloadLength);
  if (crc32(payload) !== buffer.readUInt32BE(at + 4)) return 'checksum mismatch';
  return undefined;
}

function decodePayload(payload: Buffer): FramedRecord | undefined {
  const reader = new PayloadReader(payload);
  const version = reader.u8();
  if (version !== PLAIN && version !== TIMED) return undefined;
  const timestamp = version === TIMED ? reader.f64() : undefined;
  if (version === TIMED && timestamp === undefined) return undefined;
  const topic = reader.bytes(reader.u16())?.toString('utf8');
  const key = reader.bytes(reader.u32())?.toString('utf8');
  const headersJson = reader.bytes(reader.u32())?.toString('utf8');
  const valueBytes = reader.bytes(reader.u32());
  if (topic === undefined || key === undefined || headersJson === undefined || valueBytes === undefined || !reader.atEnd()) {
    return undefined;
  }
  const headers = parseHeaders(headersJson);
  if (headers === undefined) return undefined;
  // Copy: the caller may keep records long after the file buffer is gone.
  const value = Buffer.from(valueBytes);
  const record: BusRecord = Object.keys(headers).length > 0 ? { topic, key, value, headers } : { topic, key, value };
  return timestamp === undefined ? record : { ...record, timestamp };
}

function parseHeaders(json: string): Record<string, string> | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed);
    return entries.every(([, v]) => typeof v === 'string') ? (Object.fromEntries(entries) as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

/** Bounds-checked cursor: every read past the end yields undefined instead of throwing. */
class PayloadReader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}
  u8(): number | undefined {
    return this.take(1, (at) => this.buffer.readUInt8(at));
  }
  f64(): number | undefined {
    return this.take(8, (at) => this.buffer.readDoubleBE(at));
  }
  u16(): number | undefined {
    return this.take(2, (at) => this.buffer.readUInt16BE(at));
  }
  u32(): number | undefined {
    return this.take(4, (at) => this.buffer.readUInt32BE(at));
  }
  bytes(length: number | undefined): Buffer | undefined {
    if (length === undefined) return undefined;
    return this.take(length, (at) => this.buffer.subarray(at, at + length));
  }
  atEnd(): boolean {
    return this.at === this.buffer.length;
  }
  private take<T>(length: number, read: (at: number) => T): T | undefined {
    if (this.buffer.length - this.at < length) return undefined;
    const value = read(this.at);
    this.at += length;
    return value;
  }
}
