// A private broker is stopped and restarted under a publishing bus (DESIGN §4 delivery).
import { containsSecret, startKafkaBroker, type RunningKafkaBroker, uniqueTopic } from '@authtrail/testing';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isPublishError } from '../bus.errors';
import type { BusLogger } from '../bus.logger';
import type { ConsumedRecord, EventBus, PublishResult } from '../bus.port';
import { parseTestRecord, testRecord, testSecret } from '../testdata/test-records';
import { createKafkaBus } from './kafka-bus';

const secret = testSecret();
const logLines: string[] = [];
const logger: BusLogger = {
  info: (fields, message) => logLines.push(`info ${message} ${JSON.stringify(fields)}`),
  warn: (fields, message) => logLines.push(`warn ${message} ${JSON.stringify(fields)}`),
  error: (fields, message) => logLines.push(`error ${message} ${JSON.stringify(fields)}`),
};

/** True when the promise settled before the event loop got to run any I/O or timer. */
async function resolvedAtOnce(promise: Promise<PublishResult>): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true)).catch(() => undefined);
  await new Promise((r) => setImmediate(r));
  return settled;
}

describe('Kafka bus through a broker outage', () => {
  let broker: RunningKafkaBroker;
  let workDir: string;
  const buses: EventBus[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'event-bus-outage-'));
    broker = await startKafkaBroker({ dataDir: path.join(workDir, 'kafka'), log: () => undefined });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await broker.destroy();
    rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('buffered publishing never waits while the broker is down, spools, and delivers every record in per-key order after the restart; strict mode rejects within its timeout meanwhile', async () => {
    const topic = uniqueTopic('event-bus.outage');
    const spoolDir = path.join(workDir, 'spool');
    const topics = { [topic]: { partitions: 3 } };
    const buffered = createKafkaBus({ brokers: [broker.brokers], clientId: 'outage', spoolDir, topics, logger, memoryBufferRecords: 500, closeTimeoutMs: 1_000 });
    const strict = createKafkaBus({ brokers: [broker.brokers], clientId: 'outage-strict', mode: 'strict', spoolDir: path.join(workDir, 'strict-spool'), topics, strictTimeoutMs: 1_500, closeTimeoutMs: 500 });
    buses.push(buffered, strict);
    const key = (seq: number) => `user-${seq % 13}`;
    let seq = 0;

    // Before: Kafka is up.
    for (; seq < 1_000; seq += 1) await buffered.publisher.publish(testRecord(topic, 'outage', seq, key(seq), secret));
    await buffered.publisher.flush(30_000);
    await expect(strict.publisher.publish(testRecord(topic, 'strict', 0, 'strict', secret))).resolves.toEqual({ dropped: false });

    await broker.stop();

    // During: every publish settles before the event loop could have talked to Kafka.
    let waited = 0;
    for (let round = 0; round < 30; round += 1) {
      for (let i = 0; i < 100; i += 1, seq += 1) {
        if (!(await resolvedAtOnce(buffered.publisher.publish(testRecord(topic, 'outage', seq, key(seq), secret))))) waited += 1;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(waited).toBe(0);
    expect(buffered.publisher.stats().spooled).toBeGreaterThan(0);
    expect(buffered.publisher.stats().dropped).toBe(0);
    const spoolCopy = Buffer.concat(readdirSync(spoolDir).map((f) => readFileSync(path.join(spoolDir, f))));
    expect(spoolCopy.length).toBeGreaterThan(0);

    const error = await strict.publisher.publish(testRecord(topic, 'strict', 1, 'strict', secret)).catch((e: unknown) => e);
    expect(isPublishError(error) && error.code).toBe('publish_timeout');
    expect((error as Error).message).toBe('Kafka did not acknowledge the event within 1500 ms');

    // After: same data directory and ports, so the topic is still there.
    broker = await startKafkaBroker({ dataDir: broker.dataDir, port: broker.port, controllerPort: broker.controllerPort, log: () => undefined });
    for (const end = seq + 500; seq < end; seq += 1) await buffered.publisher.publish(testRecord(topic, 'outage', seq, key(seq), secret));
    await buffered.publisher.flush(60_000);
    expect(buffered.publisher.stats()).toMatchObject({ spooled: 0, buffered: 0, dropped: 0 });
    expect(readdirSync(spoolDir)).toEqual([]);

    const records: ConsumedRecord[] = [];
    await buffered.subscriber.readToEnd(topic, (r) => {
      records.push(r);
    });
    // At least once: a batch cut by the stop may land twice; consumers keep the first copy.
    const firstCopies = new Map<string, { key: string; seq: number }>();
    for (const r of records) {
      const payload = parseTestRecord(r.value);
      if (payload.id.startsWith('outage-') && !firstCopies.has(payload.id)) firstCopies.set(payload.id, payload);
    }
    expect(firstCopies.size).toBe(seq);
    const perKey = new Map<string, number[]>();
    for (const { key: k, seq: s } of firstCopies.values()) perKey.set(k, [...(perKey.get(k) ?? []), s]);
    for (const [k, seqs] of perKey) expect({ key: k, seqs }).toEqual({ key: k, seqs: [...seqs].sort((a, b) => a - b) });

    // Nothing the bus wrote (Kafka, spool, logs) carries the raw secret; the fingerprint is there.
    const written = Buffer.concat([spoolCopy, ...records.flatMap((r) => [r.value ?? Buffer.alloc(0), Buffer.from(`${r.key} ${JSON.stringify(r.headers)}`)])]);
    expect(written.includes(secret.fingerprint)).toBe(true);
    expect(containsSecret(written, [secret.raw])).toBe(false);
    expect(logLines.some((l) => l.includes('Kafka unreachable'))).toBe(true);
    expect(containsSecret(logLines.join('\n'), [secret.raw])).toBe(false);
  }, 150_000);
});
