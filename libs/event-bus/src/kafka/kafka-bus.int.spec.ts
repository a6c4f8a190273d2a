// The Kafka adapter against the real broker of the test run.
import { containsSecret, freePort, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import type { ConsumedBatch, ConsumedRecord, EventBus } from '../bus.port';
import { parseTestRecord, testRecord, testSecret } from '../testdata/test-records';
import { createKafkaBus } from './kafka-bus';
import type { KafkaBusOptions } from './kafka-bus.config';

const secret = testSecret();
const writtenTopics: string[] = [];
/** Copies of spool files taken while they existed (they are deleted once Kafka acknowledged). */
const spoolEvidence: Buffer[] = [];
const dirs: string[] = [];
const buses: EventBus[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `event-bus-${prefix}-`));
  dirs.push(dir);
  return dir;
}

function topic(prefix: string): string {
  const name = uniqueTopic(`event-bus.${prefix}`);
  writtenTopics.push(name);
  return name;
}

function bus(options: Partial<KafkaBusOptions> = {}): EventBus {
  const created = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'event-bus-test', spoolDir: tempDir('spool'), ...options });
  buses.push(created);
  return created;
}

function snapshotSpool(dir: string): void {
  for (const name of readdirSync(dir)) spoolEvidence.push(readFileSync(path.join(dir, name)));
}

async function readAll(b: EventBus, name: string): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  await b.subscriber.readToEnd(name, (r) => {
    records.push(r);
  });
  return records;
}

function seqsByKey(records: readonly ConsumedRecord[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const r of records) {
    const { key, seq } = parseTestRecord(r.value);
    byKey.set(key, [...(byKey.get(key) ?? []), seq]);
  }
  return byKey;
}

const ascending = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || xs[i - 1] < x);

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('Kafka bus on a real broker', () => {
  it('100,000 records published in buffered mode reach a consumer group with no loss, no duplicate and per-key order', async () => {
    const name = topic('volume');
    const registry = new Registry();
    const total = 100_000;
    const b = bus({ topics: { [name]: { partitions: 3 } }, metrics: registry, memoryBufferRecords: total, batch: { maxRecords: 1_000, lingerMs: 5 } });
    let dropped = 0;
    for (let seq = 0; seq < total; seq += 1) {
      if ((await b.publisher.publish(testRecord(name, 'volume', seq, `user-${seq % 101}`, secret))).dropped) dropped += 1;
      // Yield now and then, as a server between requests would, so sending overlaps publishing.
      if (seq % 1_000 === 999) await new Promise((r) => setImmediate(r));
    }
    expect(dropped).toBe(0);
    await b.publisher.flush(60_000);
    expect(b.publisher.stats()).toMatchObject({ published: total, acknowledged: total, dropped: 0, buffered: 0, spooled: 0 });

    const seen = new Set<string>();
    let duplicates = 0;
    const perKey = new Map<string, number>();
    let outOfOrder = 0;
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    const subscription = await b.subscriber.subscribe({
      groupId: `${name}.group`,
      topics: [name],
      fromBeginning: true,
      handleBatch: async ({ records }: ConsumedBatch) => {
        for (const r of records) {
          const { id, key, seq } = parseTestRecord(r.value);
          if (seen.has(id)) duplicates += 1;
          seen.add(id);
          if ((perKey.get(key) ?? -1) >= seq) outOfOrder += 1;
          perKey.set(key, seq);
        }
        if (seen.size === total) done();
      },
    });
    await all;
    await subscription.stop();
    expect(seen.size).toBe(total);
    expect(duplicates).toBe(0);
    expect(outOfOrder).toBe(0);
    const metrics = await registry.getMetricsAsJSON();
    const acked = metrics.find((m) => m.name === 'authtrail_events_acknowledged_total');
    expect(acked?.values.reduce((sum, v) => sum + v.value, 0)).toBe(total);
  }, 120_000);

  it('strict mode resolves after the ack: the record is readable as soon as publish resolved', async () => {
    const name = topic('strict');
    const b = bus({ mode: 'strict', topics: { [name]: { partitions: 1 } } });
    await expect(b.publisher.publish(testRecord(name, 'strict', 0, 'alice', secret))).resolves.toEqual({ dropped: false });
    const records = await readAll(b, name);
    expect(records.map((r) => parseTestRecord(r.value).seq)).toEqual([0]);
    expect(records[0].headers['content-type']).toBe('application/cloudevents+json');
    expect(records[0].key).toBe('alice');
  });

  it('offsets are committed only after handleBatch resolved; a failed batch is delivered again', async () => {
    const name = topic('redeliver');
    const b = bus({ topics: { [name]: { partitions: 1 } } });
    for (let seq = 0; seq < 10; seq += 1) await b.publisher.publish(testRecord(name, 'redeliver', seq, 'k', secret));
    await b.publisher.flush(10_000);

    const groupId = `${name}.group`;
    const delivered: number[] = [];
    let failOnce = true;
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const first = await b.subscriber.subscribe({
      groupId,
      topics: [name],
      fromBeginning: true,
      handleBatch: async ({ records }) => {
        const seqs = records.map((r) => parseTestRecord(r.value).seq);
        if (failOnce) {
          failOnce = false;
          throw new Error('projector transaction failed');
        }
        delivered.push(...seqs);
        if (delivered.includes(9)) done();
      },
    });
    await finished;
    await first.stop();
    expect(delivered).toEqual([...Array(10).keys()]);

    // Same group again: everything was committed, so only newer records arrive.
    for (let seq = 10; seq < 13; seq += 1) await b.publisher.publish(testRecord(name, 'redeliver', seq, 'k', secret));
    await b.publisher.flush(10_000);
    const later: number[] = [];
    let laterDone: () => void = () => undefined;
    const laterFinished = new Promise<void>((resolve) => (laterDone = resolve));
    const second = await b.subscriber.subscribe({
      groupId,
      topics: [name],
      fromBeginning: true,
      handleBatch: async ({ records }) => {
        later.push(...records.map((r) => parseTestRecord(r.value).seq));
        if (later.includes(12)) laterDone();
      },
    });
    await laterFinished;
    await second.stop();
    expect(later).toEqual([10, 11, 12]);
  });

  it('resolveStartOffsets on assignment decides where each partition resumes (the projector checkpoint)', async () => {
    const name = topic('resume');
    const b = bus({ topics: { [name]: { partitions: 1 } } });
    for (let seq = 0; seq < 20; seq += 1) await b.publisher.publish(testRecord(name, 'resume', seq, 'k', secret));
    await b.publisher.flush(10_000);
    const asked: { topic: string; partition: number }[][] = [];
    const delivered: number[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const subscription = await b.subscriber.subscribe({
      groupId: `${name}.group`,
      topics: [name],
      fromBeginning: true,
      resolveStartOffsets: async (assigned) => {
        asked.push([...assigned]);
        return [{ topic: name, partition: 0, offset: '15' }];
      },
      handleBatch: async ({ records }) => {
        delivered.push(...records.map((r) => parseTestRecord(r.value).seq));
        if (delivered.includes(19)) done();
      },
    });
    await finished;
    await subscription.stop();
    expect(asked[0]).toEqual([{ topic: name, partition: 0 }]);
    expect(delivered).toEqual([15, 16, 17, 18, 19]);
  });

  it('readToEnd reads every partition up to the high-water mark at call time; an empty or missing topic reads as 0 records', async () => {
    const name = topic('read-to-end');
    const empty = topic('empty');
    const b = bus({ topics: { [name]: { partitions: 3 }, [empty]: { partitions: 2 } } });
    await b.admin.ensureTopics({ [empty]: { partitions: 2 } });
    for (let seq = 0; seq < 30; seq += 1) await b.publisher.publish(testRecord(name, 'rte', seq, `k${seq % 4}`, secret));
    await b.publisher.flush(10_000);
    const records = await readAll(b, name);
    expect(records.map((r) => parseTestRecord(r.value).seq).sort((x, y) => x - y)).toEqual([...Array(30).keys()]);
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
    expect([...seqsByKey(records).values()].every(ascending)).toBe(true);
    await expect(b.subscriber.readToEnd(empty, () => undefined)).resolves.toBe(0);
    await expect(b.subscriber.readToEnd(uniqueTopic('event-bus.never-created'), () => undefined)).resolves.toBe(0);
    await expect(
      b.subscriber.readToEnd(name, () => {
        throw new Error('control event rejected');
      }),
    ).rejects.toThrow('control event rejected');
  });

  it('subscribing to a topic that does not exist yet creates it, and the group then receives what is published', async () => {
    const name = topic('created-by-subscribe');
    const b = bus({ topics: { [name]: { partitions: 2 } } });
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const subscription = await b.subscriber.subscribe({ groupId: `${name}.group`, topics: [name], fromBeginning: true, handleBatch: async () => done() });
    await b.publisher.publish(testRecord(name, 'created', 0, 'k', secret));
    await finished;
    await subscription.stop();
    expect(await readAll(b, name)).toHaveLength(1);
  });

  it('a group that starts without fromBeginning sees only records published after it joined', async () => {
    const name = topic('latest');
    const b = bus({ topics: { [name]: { partitions: 1 } } });
    await b.publisher.publish(testRecord(name, 'latest', 0, 'k', secret));
    await b.publisher.flush(10_000);
    const delivered: number[] = [];
    const subscription = await b.subscriber.subscribe({
      groupId: `${name}.group`,
      topics: [name],
      handleBatch: async ({ records }) => {
        delivered.push(...records.map((r) => parseTestRecord(r.value).seq));
      },
    });
    // "Latest" is resolved at the group's first fetch: publish probes until one arrives.
    for (let seq = 1; delivered.length === 0 && seq < 100; seq += 1) {
      await b.publisher.publish(testRecord(name, 'latest', seq, 'k', secret));
      await b.publisher.flush(10_000);
      await new Promise((r) => setTimeout(r, 200));
    }
    await subscription.stop();
    expect(delivered.length).toBeGreaterThan(0);
    expect(delivered).not.toContain(0);
    expect(delivered).toEqual([...delivered].sort((x, y) => x - y));
  });

  it('a spool left by a crashed process (killed, never flushed) is replayed by the next bus on that directory, before newer records', async () => {
    const name = topic('crash');
    const spoolDir = tempDir('crash');
    const deadBroker = `127.0.0.1:${await freePort()}`;
    const count = 1_000;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../testdata/crash-publisher.ts'), spoolDir, deadBroker, name, 'crash', String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const line = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += String(d);
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', () => resolve(out.trim()));
    });
    child.kill('SIGKILL');
    await exited;
    expect(line).toBe('spooled');
    snapshotSpool(spoolDir);
    expect(readdirSync(spoolDir).length).toBeGreaterThan(0);

    const b = bus({ spoolDir, topics: { [name]: { partitions: 1 } } });
    expect(b.publisher.stats().spooled).toBe(count);
    await b.publisher.publish(testRecord(name, 'crash', count, 'key-0', secret));
    await b.publisher.flush(30_000);
    expect(readdirSync(spoolDir)).toEqual([]);
    const seqs = (await readAll(b, name)).map((r) => parseTestRecord(r.value).seq);
    expect(seqs).toEqual([...Array(count + 1).keys()]);
  });

  it('with Kafka unreachable, memory and spool full: publish resolves dropped, and every drop is counted in stats and metrics', async () => {
    const name = topic('drops');
    const spoolDir = tempDir('drops');
    const registry = new Registry();
    const b = bus({ brokers: [`127.0.0.1:${await freePort()}`], spoolDir, memoryBufferRecords: 50, spoolMaxBytes: 20_000, metrics: registry, closeTimeoutMs: 100 });
    let dropped = 0;
    for (let seq = 0; seq < 500; seq += 1) {
      if ((await b.publisher.publish(testRecord(name, 'drops', seq, 'k', secret))).dropped) dropped += 1;
    }
    snapshotSpool(spoolDir);
    const stats = b.publisher.stats();
    expect(dropped).toBeGreaterThan(0);
    expect(stats.dropped).toBe(dropped);
    expect(stats.spoolBytes).toBeLessThanOrEqual(20_000);
    expect(stats.buffered + stats.spooled + stats.dropped).toBe(500);
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'authtrail_events_dropped_total');
    expect(metric?.values.reduce((sum, v) => sum + v.value, 0)).toBe(dropped);
  });

  it('nothing written to Kafka or to the spool in these tests contains the raw secret (and the fingerprint is there)', async () => {
    const b = bus();
    const written: Buffer[] = [...spoolEvidence];
    for (const name of writtenTopics.filter((t) => !t.includes('.drops.'))) {
      for (const r of await readAll(b, name)) {
        written.push(Buffer.from(r.key ?? ''), r.value ?? Buffer.alloc(0), Buffer.from(JSON.stringify(r.headers)));
      }
    }
    const all = Buffer.concat(written);
    expect(all.length).toBeGreaterThan(1_000_000);
    expect(all.includes(secret.fingerprint)).toBe(true);
    expect(containsSecret(all, [secret.raw])).toBe(false);
    // The detector itself finds the secret where it is (the request the records were built from).
    expect(containsSecret(Buffer.from(JSON.stringify({ authorization: `Bearer ${secret.raw}` })), [secret.raw])).toBe(true);
  }, 60_000);
});
