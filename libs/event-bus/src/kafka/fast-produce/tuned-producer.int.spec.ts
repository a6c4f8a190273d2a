// The tuned producer (the default encoding) against the real broker: what a consumer reads is
// what was published, on the partition a Java client (and stock kafkajs) would pick for its key,
// with gzip as with no compression; stock kafkajs still works as the `kafkajs` encoding; and an
// idle tuned producer runs no request-queue checks (pending-request-checks.ts).
import { testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BusRecord, ConsumedRecord } from '../../bus.port';
import { createKafkaBus } from '../kafka-bus';
import type { KafkaBusOptions } from '../kafka-bus.config';

// Stock kafkajs' murmur2 (as jest loads it, untouched): the Java client's partition of a key.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string) => number;

const PARTITIONS = 6;
const REPO = path.resolve(__dirname, '../../../../..');
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

describe('an idle tuned producer', () => {
  it('runs no pending-request checks and prints no TimeoutNegativeWarning once its records are acknowledged', () => {
    // A process of its own, as authn runs one: stderr is what an operator would read, and the
    // RequestQueue class is the one kafkajs loaded through Node's module cache.
    const probe = `
      const { mkdtempSync } = require('node:fs'), { tmpdir } = require('node:os'), { dirname, join } = require('node:path');
      const { createKafkaBus } = require('./libs/event-bus/src/kafka/kafka-bus');
      const [brokers, topic] = JSON.parse(process.argv[1]);
      const bus = createKafkaBus({ clientId: 'idle-probe', brokers, spoolDir: mkdtempSync(join(tmpdir(), 'idle-probe-')), topics: { [topic]: { partitions: 1 } } });
      const RequestQueue = require(join(dirname(require.resolve('kafkajs/package.json')), 'src', 'network', 'requestQueue', 'index.js'));
      let checks = 0;
      const check = RequestQueue.prototype.checkPendingRequests;
      RequestQueue.prototype.checkPendingRequests = function () { checks += 1; return check.call(this); };
      (async () => {
        for (let i = 0; i < 20; i++) await bus.publisher.publish({ topic, key: 'k' + i, value: Buffer.from('v' + i), headers: {} });
        await bus.publisher.flush(30000);
        const answered = checks;
        await new Promise((resolve) => setTimeout(resolve, 300));
        console.log(JSON.stringify({ answered, idle: checks - answered, acknowledged: bus.publisher.stats().acknowledged }));
        await bus.close();
        process.exit(0);
      })();
    `;
    const topic = uniqueTopic('event-bus.idle');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe, JSON.stringify([testKafkaBrokers(), topic])], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toContain('TimeoutNegativeWarning');
    const result = JSON.parse(run.stdout) as { answered: number; idle: number; acknowledged: number };
    expect(result.acknowledged).toBe(20);
    // Each response checks the queue once (kafkajs' own call); idle, stock kafkajs checked every millisecond.
    expect(result.answered).toBeGreaterThan(0);
    expect(result.idle).toBe(0);
  });
});
