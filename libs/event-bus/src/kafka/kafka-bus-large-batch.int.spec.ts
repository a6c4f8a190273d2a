// Batches against the real broker's size limit (message.max.bytes, 1,048,588 bytes by default):
// a record batch above it is refused whole (MESSAGE_TOO_LARGE), and sent again it is refused
// again. Before batches were bounded in bytes, 500 decision events of ~2 KB made such a batch
// under load: the publisher retried it forever, the spool filled and every later event was dropped.
import { testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BusLogger } from '../bus.logger';
import type { BusRecord, EventBus } from '../bus.port';
import { createKafkaBus } from './kafka-bus';
import type { KafkaBusOptions } from './kafka-bus.config';

/** The broker's default message.max.bytes (the test broker keeps Kafka's defaults). */
const BROKER_MAX_MESSAGE_BYTES = 1_048_588;

const dirs: string[] = [];
const buses: EventBus[] = [];

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Lines {
  readonly warn: string[];
  readonly error: string[];
}

function bus(name: string, options: Partial<KafkaBusOptions> = {}): { bus: EventBus; lines: Lines } {
  const dir = mkdtempSync(path.join(tmpdir(), 'event-bus-large-'));
  dirs.push(dir);
  const lines: Lines = { warn: [], error: [] };
  const logger: BusLogger = { info: () => undefined, warn: (_f, m) => lines.warn.push(m), error: (_f, m) => lines.error.push(m) };
  const created = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'event-bus-large-test', spoolDir: dir, topics: { [name]: { partitions: 1 } }, logger, ...options });
  buses.push(created);
  return { bus: created, lines };
}

/** One key, so every record goes to the same partition and a batch is one record batch there. */
const paddedRecord = (topic: string, seq: number, bytes: number): BusRecord => ({
  topic,
  key: 'one-partition',
  value: Buffer.from(JSON.stringify({ seq, pad: 'x'.repeat(bytes) })),
  headers: { 'content-type': 'application/cloudevents+json' },
});

async function seqsOnTopic(b: EventBus, topic: string): Promise<number[]> {
  const seqs: number[] = [];
  await b.subscriber.readToEnd(topic, (r) => {
    seqs.push((JSON.parse(r.value?.toString('utf8') ?? '{}') as { seq: number }).seq);
  });
  return seqs;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('Kafka bus batches and the broker size limit', () => {
  it('a burst whose 500-record batches would exceed message.max.bytes lands whole, in order, without a refusal', async () => {
    const topic = uniqueTopic('event-bus.large-burst');
    const { bus: b, lines } = bus(topic, { memoryBufferRecords: 5_000 });
    const count = 2_000;
    const valueBytes = 2_500;
    // The premise: 500 such records are more than the broker takes in one record batch.
    expect(500 * valueBytes).toBeGreaterThan(BROKER_MAX_MESSAGE_BYTES);
    for (const seq of range(count)) expect(await b.publisher.publish(paddedRecord(topic, seq, valueBytes))).toEqual({ dropped: false });
    await b.publisher.flush(60_000);
    expect(b.publisher.stats()).toMatchObject({ published: count, acknowledged: count, dropped: 0, buffered: 0, spooled: 0 });
    expect(await seqsOnTopic(b, topic)).toEqual(range(count));
    expect(lines.warn).toEqual([]);
  }, 90_000);

  it('batches set above the broker limit are refused, split and sent again until they land: nothing lost, order kept', async () => {
    const topic = uniqueTopic('event-bus.large-split');
    const { bus: b, lines } = bus(topic, { memoryBufferRecords: 5_000, batch: { maxBytes: 8 * BROKER_MAX_MESSAGE_BYTES } });
    const count = 1_500;
    for (const seq of range(count)) await b.publisher.publish(paddedRecord(topic, seq, 2_500));
    await b.publisher.flush(60_000);
    expect(b.publisher.stats()).toMatchObject({ acknowledged: count, dropped: 0, spooled: 0 });
    expect(await seqsOnTopic(b, topic)).toEqual(range(count));
    expect(lines.warn).toContain('Kafka refused an event batch as too large: batches are smaller from now on');
    expect(lines.warn.filter((m) => m.includes('unreachable'))).toEqual([]);
  }, 90_000);

  it('buffered: a record larger than the broker takes is dropped and counted; the records before and after it land', async () => {
    const topic = uniqueTopic('event-bus.large-record');
    const { bus: b, lines } = bus(topic);
    await b.publisher.publish(paddedRecord(topic, 0, 100));
    await b.publisher.publish(paddedRecord(topic, 1, BROKER_MAX_MESSAGE_BYTES + 1_000));
    await b.publisher.publish(paddedRecord(topic, 2, 100));
    await b.publisher.flush(30_000);
    expect(b.publisher.stats()).toMatchObject({ published: 3, acknowledged: 2, dropped: 1, buffered: 0, spooled: 0 });
    expect(await seqsOnTopic(b, topic)).toEqual([0, 2]);
    expect(lines.error).toEqual(['Kafka refused an event record as larger than it accepts: it is dropped']);
  }, 60_000);

  it('strict: publishing a record larger than the broker takes rejects with record_too_large', async () => {
    const topic = uniqueTopic('event-bus.large-strict');
    const { bus: b } = bus(topic, { mode: 'strict' });
    await expect(b.publisher.publish(paddedRecord(topic, 0, BROKER_MAX_MESSAGE_BYTES + 1_000))).rejects.toMatchObject({ code: 'record_too_large' });
    await expect(b.publisher.publish(paddedRecord(topic, 1, 100))).resolves.toEqual({ dropped: false });
    expect(await seqsOnTopic(b, topic)).toEqual([1]);
  }, 60_000);
});
