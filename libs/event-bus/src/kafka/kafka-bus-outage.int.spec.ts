// A private broker is stopped and restarted under a publishing bus (DESIGN §4 delivery).
import { containsSecret, startKafkaBroker, uniqueTopic } from '@authtrail/testing';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isPublishError } from '../bus.errors';
import type { BusLogger } from '../bus.logger';
import type { ConsumedRecord, PublishResult } from '../bus.port';
import { usePrivateBroker } from '../testdata/private-broker';
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
  const privateBroker = usePrivateBroker('event-bus-outage');

  it('buffered publishing never waits while the broker is down, spools, and delivers every record in per-key order after the restart; strict mode refuses (never to send) what it could not hand over, and the batch on the wire at the stop resolves after the restart', async () => {
    const topic = uniqueTopic('event-bus.outage');
    const running = privateBroker();
    const { workDir, buses } = running;
    let broker = running.broker;
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

    // The strict producer still believes it is connected: the first batch goes to kafkajs' send
    // (it may be on the wire, so it waits for Kafka, past its deadline); what comes after it
    // cannot be handed over, is refused within the timeout and is never sent.
    const handedOver = strict.publisher.publish(testRecord(topic, 'strict', 1, 'strict', secret));
    handedOver.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const error = await strict.publisher.publish(testRecord(topic, 'strict', 2, 'strict', secret)).catch((e: unknown) => e);
    expect(isPublishError(error) && error.code).toBe('publish_timeout');
    expect((error as Error).message).toBe('the event could not be sent to Kafka within 1500 ms');

    // After: same data directory and ports, so the topic is still there.
    running.broker = broker = await startKafkaBroker({ dataDir: broker.dataDir, port: broker.port, controllerPort: broker.controllerPort, log: () => undefined });
    for (const end = seq + 500; seq < end; seq += 1) await buffered.publisher.publish(testRecord(topic, 'outage', seq, key(seq), secret));
    await buffered.publisher.flush(60_000);
    await expect(handedOver).resolves.toEqual({ dropped: false });
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
    const strictIds = new Set(records.map((r) => parseTestRecord(r.value).id).filter((id) => id.startsWith('strict-')));
    expect([...strictIds].sort()).toEqual(['strict-0', 'strict-1']);
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
