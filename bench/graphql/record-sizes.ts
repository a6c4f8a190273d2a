// What one decision costs on Kafka's disk, per topic, from the production encoders: the
// decision record as authn publishes it (`toBusRecord`, with the integrity chain's extension
// attributes a producer adds), and the OCSF / ECS records the siem-exporter's Kafka outputs
// write (mapper + `outputHeaders`). The bytes per record on disk follow Kafka's v2 record format
// (uncompressed: authtrail's default, docs/event-bus.md), with a record batch's 61-byte header
// shared by the records of a batch. Used by docs/capacity.md.
import { createHash } from 'node:crypto';
import { DEFAULT_SIEM_MAP_OPTIONS, type DecisionEvent, toBusRecord, toEcs, toOcsf, TOPICS } from '@authtrail/events';
import { outputHeaders } from '../../services/siem-exporter/src/sinks/output-headers';

/** Kafka's zig-zag varint length of `n`. */
function varintBytes(n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let bytes = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    bytes += 1;
  }
  return bytes;
}

/** One record inside a v2 batch: length, attributes, timestamp and offset deltas, key, value, headers. */
export function recordBytes(key: Buffer | null, value: Buffer, headers: Readonly<Record<string, string>>): number {
  const headerBytes = Object.entries(headers).reduce((n, [k, v]) => {
    const name = Buffer.byteLength(k);
    const text = Buffer.byteLength(v);
    return n + varintBytes(name) + name + varintBytes(text) + text;
  }, varintBytes(Object.keys(headers).length));
  // Deltas within a batch: a few bytes each (taken at their 2-byte size).
  const body = 1 + 2 + 2 + varintBytes(key?.length ?? -1) + (key?.length ?? 0) + varintBytes(value.length) + value.length + headerBytes;
  return varintBytes(body) + body;
}

/** Kafka's record batch header; shared by the records of a producer batch. */
export const RECORD_BATCH_HEADER_BYTES = 61;

export interface TopicRecordSize {
  readonly topic: string;
  /** Value bytes (the JSON). */
  readonly value: number;
  /** The record in the log, batch header excluded. */
  readonly record: number;
}

/** Average sizes over `events` (a sample of what the bench loaded), each given a chain position. */
export function kafkaRecordSizes(events: readonly DecisionEvent[]): TopicRecordSize[] {
  const sums = new Map<string, { value: number; record: number }>();
  const add = (topic: string, key: string, value: Buffer, headers: Readonly<Record<string, string>>): void => {
    const s = sums.get(topic) ?? { value: 0, record: 0 };
    s.value += value.length;
    s.record += recordBytes(Buffer.from(key), value, headers);
    sums.set(topic, s);
  };
  for (const [i, plain] of events.entries()) {
    // What a producer adds as it publishes (docs/integrity.md): chain id, position, previous hash.
    const event: DecisionEvent = { ...plain, chainid: `${plain.data.instance ?? 'authn'}/${plain.data.boot ?? plain.id}`, chainseq: i + 1, chainprev: createHash('sha256').update(plain.id).digest('hex') };
    const record = toBusRecord(TOPICS.decisions, event);
    add(TOPICS.decisions, record.key, record.value, record.headers);
    const ocsf = Buffer.from(JSON.stringify(toOcsf(event, DEFAULT_SIEM_MAP_OPTIONS)));
    add(TOPICS.ocsf, record.key, ocsf, outputHeaders(event, record.headers, 'application/json'));
    const ecs = Buffer.from(JSON.stringify(toEcs(event, DEFAULT_SIEM_MAP_OPTIONS)));
    add(TOPICS.ecs, record.key, ecs, outputHeaders(event, record.headers, 'application/json'));
  }
  return [...sums.entries()].map(([topic, s]) => ({ topic, value: s.value / events.length, record: s.record / events.length }));
}
