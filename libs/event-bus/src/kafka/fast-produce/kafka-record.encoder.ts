// A Kafka record of magic 2 (KIP-98), the same bytes as kafkajs 2.2.4's record encoder
// (`protocol/recordBatch/record/v0`), written once into a right-sized slice of a slab. kafkajs builds
// each record from fresh zero-filled 512-byte Encoders (one for the record, grown to fit the value,
// one per header), a Buffer per varint and 64-bit arithmetic on BigInt for the timestamp delta:
// ≈ 9 µs of a ~1 KB record's main-thread cost in bench/events. Headers objects are usually shared
// (libs/events passes one frozen object for every record): their encoding is kept per object.
//
//   Record => Length varint | Attributes int8 | TimestampDelta varlong | OffsetDelta varint
//             | Key varint-bytes | Value varint-bytes | Headers [varint-string key, varint-bytes value]

import { EncodedBytes } from './wire';

/** A record's bytes, Encoder-shaped (`buf`, `buffer`, `size()`) as kafkajs' compression codecs read them. */
export type EncodedKafkaRecord = EncodedBytes;

export interface KafkaRecordInput {
  readonly offsetDelta?: number;
  readonly timestampDelta?: number;
  readonly key?: unknown;
  readonly value?: unknown;
  readonly headers?: Readonly<Record<string, unknown>>;
}

const encodedHeadersByObject = new WeakMap<object, Buffer>();
const NO_HEADERS = Buffer.from([0]);

/**
 * Records are cut from 256 KiB slabs: every ArrayBuffer is a backing store V8 tracks and a GC has
 * to visit, so one per ~250 records instead of one per record (or per 8 KiB pool). A slab lives as
 * long as a record cut from it, i.e. until its batch was sent.
 */
const SLAB_BYTES = 256 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

function take(size: number): Buffer {
  if (size > SLAB_BYTES / 8) return Buffer.allocUnsafeSlow(size);
  if (slabUsed + size > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const taken = slab.subarray(slabUsed, slabUsed + size);
  // 8-byte steps keep the next record aligned, as Buffer's own pool does.
  slabUsed += (size + 7) & ~7;
  return taken;
}

export function encodeKafkaRecord({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }: KafkaRecordInput): EncodedKafkaRecord {
  const headerBytes = encodedHeaders(headers);
  const keyLength = bytesLength(key);
  const valueLength = bytesLength(value);
  const timestampZigZag = zigZag64(timestampDelta);
  const bodyLength =
    1 +
    varLongSize(timestampZigZag) +
    varIntSize(zigZag32(offsetDelta)) +
    varIntSize(zigZag32(keyLength)) +
    Math.max(0, keyLength) +
    varIntSize(zigZag32(valueLength)) +
    Math.max(0, valueLength) +
    headerBytes.length;
  const out = take(varIntSize(zigZag32(bodyLength)) + bodyLength);
  let at = writeUVarInt(out, 0, zigZag32(bodyLength));
  out[at++] = 0;
  at = writeUVarLong(out, at, timestampZigZag);
  at = writeUVarInt(out, at, zigZag32(offsetDelta));
  at = writeBytes(out, at, key, keyLength);
  at = writeBytes(out, at, value, valueLength);
  headerBytes.copy(out, at);
  return new EncodedBytes(out);
}

/** The header array of a record: count, then each key and value, as kafkajs flattens them (arrays become repeated keys). */
function encodedHeaders(headers: Readonly<Record<string, unknown>>): Buffer {
  const cached = encodedHeadersByObject.get(headers);
  if (cached) return cached;
  const pairs: [string, unknown][] = [];
  for (const name of Object.keys(headers)) {
    const given = headers[name];
    if (Array.isArray(given)) for (const one of given) pairs.push([name, one]);
    else pairs.push([name, given]);
  }
  if (pairs.length === 0) return NO_HEADERS;
  const parts: number[] = [];
  let size = varIntSize(zigZag32(pairs.length));
  for (const [name, headerValue] of pairs) {
    // kafkajs refuses these too (Buffer.byteLength of null), with a less telling message.
    if (headerValue == null) throw new TypeError(`Kafka header "${name}" has no value`);
    const nameLength = Buffer.byteLength(name, 'utf8');
    const valueLength = Buffer.byteLength(headerValue as string | Buffer);
    parts.push(nameLength, valueLength);
    size += varIntSize(zigZag32(nameLength)) + nameLength + varIntSize(zigZag32(valueLength)) + valueLength;
  }
  const out = Buffer.allocUnsafe(size);
  let at = writeUVarInt(out, 0, zigZag32(pairs.length));
  pairs.forEach(([name, headerValue], i) => {
    at = writeBytes(out, at, name, parts[2 * i]);
    at = writeBytes(out, at, headerValue, parts[2 * i + 1]);
  });
  // A frozen object of strings cannot change under the cache; others are encoded each time.
  if (Object.isFrozen(headers) && pairs.every(([, v]) => typeof v === 'string')) encodedHeadersByObject.set(headers, out);
  return out;
}

/** -1 for null / undefined (a null key or value), else the byte length as kafkajs measures it. */
function bytesLength(given: unknown): number {
  if (given == null) return -1;
  return Buffer.isBuffer(given) ? given.length : Buffer.byteLength(String(given), 'utf8');
}

function writeBytes(out: Buffer, at: number, given: unknown, length: number): number {
  at = writeUVarInt(out, at, zigZag32(length));
  if (length <= 0) return at;
  if (Buffer.isBuffer(given)) return at + given.copy(out, at);
  return at + out.write(String(given), at, length, 'utf8');
}

/** kafkajs' 32-bit zig-zag (`Encoder.encodeZigZag`), as an unsigned 32-bit value. */
function zigZag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

function varIntSize(unsigned: number): number {
  let bytes = 1;
  while ((unsigned & 0xffffff80) !== 0) {
    bytes += 1;
    unsigned >>>= 7;
  }
  return bytes;
}

function writeUVarInt(out: Buffer, at: number, unsigned: number): number {
  while ((unsigned & 0xffffff80) !== 0) {
    out[at++] = (unsigned & 0x7f) | 0x80;
    unsigned >>>= 7;
  }
  out[at++] = unsigned & 0x7f;
  return at;
}

/** 64-bit zig-zag of an integer (BigInt throws for a non-integer, as kafkajs' Long does). */
function zigZag64(value: number): bigint | number {
  if (Number.isSafeInteger(value) && Math.abs(value) < 2 ** 52) return value >= 0 ? value * 2 : -value * 2 - 1;
  const big = BigInt.asIntN(64, BigInt(value));
  return BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
}

function varLongSize(unsigned: bigint | number): number {
  let bytes = 1;
  if (typeof unsigned === 'number') {
    for (let v = unsigned; v >= 0x80; v = Math.floor(v / 128)) bytes += 1;
  } else {
    for (let v = unsigned; v >= 0x80n; v >>= 7n) bytes += 1;
  }
  return bytes;
}

function writeUVarLong(out: Buffer, at: number, unsigned: bigint | number): number {
  if (typeof unsigned === 'number') {
    let v = unsigned;
    while (v >= 0x80) {
      out[at++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    out[at++] = v;
    return at;
  }
  let v = unsigned;
  while (v >= 0x80n) {
    out[at++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[at++] = Number(v);
  return at;
}
