// The tuned producer (the default encoding) against the real broker: what a consumer reads is
// what was published, on the partition a Java client (and stock kafkajs) would pick for its key,
// with gzip as with no compression; and stock kafkajs still works as the `kafkajs` encoding.
import { testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BusRecord, ConsumedRecord } from '../../bus.port';
import { createKafkaBus } from '../kafka-bus';
import type { KafkaBusOptions } from '../kafka-bus.config';

// Stock kafkajs' murmur2 (as jest loads it, untouched): the Java client's partition of a key.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string) => number;

const PARTITIONS = 6;
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function roundTrip(options: Partial<KafkaBusOptions>): Promise<{ sent: BusRecord[]; read: ConsumedRecord[] }> {
  const topic = uniqueTopic('event-bus.tuned');
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'event-bus-tuned-'));
  dirs.push(spoolDir);
  const bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'event-bus-tuned-test', spoolDir, topics: { [topic]: { partitions: PARTITIONS } }, ...options });
  try {
    const headers = Object.freeze({ 'content-type': 'application/cloudevents+json' });
    const sent: BusRecord[] = Array.from({ length: 300 }, (_, i) => ({
      topic,
      key: i % 3 === 0 ? `system:serviceaccount:ns-${i % 17}:sa` : `ünïcödé-user-${i % 23}`,
      value: Buffer.from(JSON.stringify({ seq: i, filler: 'x'.repeat(i % 700) })),
      headers: i % 2 === 0 ? headers : { 'content-type': 'application/cloudevents+json', trace: `t-${i}` },
    }));
    for (const record of sent) await bus.publisher.publish(record);
    await bus.publisher.flush(30_000);
    const read: ConsumedRecord[] = [];
    await bus.subscriber.readToEnd(topic, (r) => void read.push(r));
    return { sent, read };
  } finally {
    await bus.close();
  }
}

function expectDelivered({ sent, read }: { sent: BusRecord[]; read: ConsumedRecord[] }): void {
  expect(read).toHaveLength(sent.length);
  const bySeq = new Map(read.map((r) => [(JSON.parse(String(r.value)) as { seq: number }).seq, r]));
  sent.forEach((record, seq) => {
    const got = bySeq.get(seq);
    expect(got?.key).toBe(record.key);
    expect(got?.value?.equals(record.value)).toBe(true);
    expect(got?.headers).toEqual(record.headers);
    expect(got?.partition).toBe((kafkajsMurmur2(record.key) & 0x7fffffff) % PARTITIONS);
  });
}

describe('tuned producer against the broker', () => {
  it.each([
    ['tuned encoding, no compression', {}],
    ['tuned encoding, gzip', { compression: 'gzip' as const }],
    ['stock kafkajs encoding', { producerEncoding: 'kafkajs' as const }],
  ])('%s: every record arrives intact, on its key\'s Java partition', async (_name, options) => {
    expectDelivered(await roundTrip(options));
  });
});
