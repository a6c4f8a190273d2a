// The producer side of issue #21 as authn and graphql-api run it: every event chained in publish
// order, checkpoints by count, by time and at stop, a new boot linked to the last checkpoint —
// checked by the verifier of libs/integrity with the public keys only.
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { BusRecord, Publisher } from '@authtrail/event-bus';
import { controlEvent, decisionEvent, INTEGRITY_CHECKPOINT_EVENT_TYPE, PRODUCER_STATUS_EVENT_TYPE, TOPICS, type DecisionData } from '@authtrail/events';
import { ChainVerifier, ChainWriter, CheckpointSigner, loadSigningKey, verificationKeysOf } from '@authtrail/integrity';
import { waitFor } from '@authtrail/testing';
import pino from 'pino';
import { createChainedPublisher, type ChainedPublisher } from './chained-publisher';

const BOOT_1 = '0194a1b2-c3d4-7e5f-8a9b-000000000001';
const BOOT_2 = '0194a1b2-c3d4-7e5f-8a9b-000000000002';
const signing = loadSigningKey({ id: 'k1', key: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
const keys = verificationKeysOf([signing]);
let ids = 0;
const newEventId = () => `0194a1b2-c3d4-7e5f-8a9b-${String((ids += 1)).padStart(12, '0')}`;

function recording(): Publisher & { records: BusRecord[] } {
  const records: BusRecord[] = [];
  return { records, publish: async (record) => (records.push(record), { dropped: false }), flush: async () => undefined, close: async () => undefined, stats: () => ({ published: records.length, acknowledged: 0, buffered: 0, spooled: 0, spoolBytes: 0, dropped: 0 }) };
}

const open: ChainedPublisher[] = [];
afterEach(() => open.splice(0).forEach((p) => p.close()));

function start(publisher: Publisher, boot: string, options: { everyEvents: number; everyMillis: number; lastCheckpoint?: string | null; anchors?: string[] }): ChainedPublisher {
  const writer = new ChainWriter({ instance: 'authn-0', boot, lastCheckpoint: options.lastCheckpoint ?? null });
  const signer = new CheckpointSigner({ key: signing, everyEvents: options.everyEvents, everyMillis: options.everyMillis, startedAt: Date.now() });
  const chained = createChainedPublisher({ publisher, writer, signer, keys, source: '/authtrail/authn/authn-0', newEventId, now: () => new Date(), pollMs: 10, onCheckpoint: (hash) => options.anchors?.push(hash), logger: pino({ level: 'silent' }) });
  open.push(chained);
  return chained;
}

const decision = (n: number) => {
  const data: DecisionData = { decision: 'allow', httpStatus: 200, reason: 'ok', attempts: [], user: { username: `user-${n}`, groups: [], extra: {} }, request: { endpoint: 'tokenreview' }, instance: 'authn-0', sequence: n };
  return decisionEvent({ id: newEventId(), time: new Date(), source: '/authtrail/authn/authn-0', data });
};
const status = () => controlEvent({ id: newEventId(), time: new Date(), source: '/authtrail/authn/authn-0', type: PRODUCER_STATUS_EVENT_TYPE, data: { instance: 'authn-0', boot: BOOT_1, state: 'running', lastSequence: 0, dropped: 0 } });
const parsed = (record: BusRecord) => JSON.parse(record.value.toString('utf8')) as { type: string; chainid: string; chainseq: number; chainprev: string; data: { toSequence?: number } };
const sha256 = (value: Buffer) => createHash('sha256').update(value).digest('hex');

function verify(records: readonly BusRecord[]) {
  const verifier = new ChainVerifier({ keys });
  records.forEach((record, offset) => verifier.add(record.value, { topic: record.topic, partition: 0, offset: String(offset) }));
  return verifier.finish();
}

it('chains every event in publish order and signs a checkpoint every N events and at stop', async () => {
  const publisher = recording();
  const chained = start(publisher, BOOT_1, { everyEvents: 2, everyMillis: 3_600_000 });
  await chained.publish(TOPICS.control, status());
  for (let n = 1; n <= 4; n++) await chained.publish(TOPICS.decisions, decision(n));
  await chained.checkpoint();

  const types = publisher.records.map((r) => parsed(r).type);
  // status, d1, checkpoint(status, d1), d2, d3, checkpoint(d2, d3), d4, final checkpoint(d4)
  expect(types.map((t) => (t === INTEGRITY_CHECKPOINT_EVENT_TYPE ? 'checkpoint' : t === PRODUCER_STATUS_EVENT_TYPE ? 'status' : 'decision'))).toEqual(['status', 'decision', 'checkpoint', 'decision', 'decision', 'checkpoint', 'decision', 'checkpoint']);
  publisher.records.forEach((record, i) => {
    const event = parsed(record);
    expect(event.chainid).toBe(`authn-0/${BOOT_1}`);
    expect(event.chainseq).toBe(i + 1);
    expect(event.chainprev).toBe(i === 0 ? '0'.repeat(64) : sha256(publisher.records[i - 1]?.value as Buffer));
  });
  expect(publisher.records.filter((r) => parsed(r).type === INTEGRITY_CHECKPOINT_EVENT_TYPE).map((r) => r.topic)).toEqual([TOPICS.control, TOPICS.control, TOPICS.control]);

  const report = verify(publisher.records);
  expect(report.findings).toEqual([]);
  expect(report.chains).toEqual([expect.objectContaining({ chainId: `authn-0/${BOOT_1}`, events: 8, checkpoints: 3, verifiedThrough: expect.objectContaining({ checkpointSequence: 8 }), unanchoredTail: null })]);
});

it('signs a checkpoint by time when events wait longer than the interval, and none while idle', async () => {
  const publisher = recording();
  const chained = start(publisher, BOOT_1, { everyEvents: 1_000, everyMillis: 50 });
  await chained.publish(TOPICS.decisions, decision(1));
  await waitFor('a timed checkpoint', async () => (publisher.records.length === 2 ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(publisher.records.map((r) => parsed(r).type)).toEqual([decision(0).type, INTEGRITY_CHECKPOINT_EVENT_TYPE]);
  expect(verify(publisher.records).findings).toEqual([]);
});

it('a new boot links to the last checkpoint of the previous one: two boots verify as one history', async () => {
  const publisher = recording();
  const anchors: string[] = [];
  const first = start(publisher, BOOT_1, { everyEvents: 10, everyMillis: 3_600_000, anchors });
  for (let n = 1; n <= 3; n++) await first.publish(TOPICS.decisions, decision(n));
  await first.checkpoint();
  expect(anchors).toEqual([sha256(publisher.records[3]?.value as Buffer)]);

  const second = start(publisher, BOOT_2, { everyEvents: 10, everyMillis: 3_600_000, lastCheckpoint: anchors[0] ?? null });
  await second.publish(TOPICS.decisions, decision(1));
  await second.checkpoint();
  expect(parsed(publisher.records[4] as BusRecord).chainprev).toBe(anchors[0]);

  const report = verify(publisher.records);
  expect(report.findings).toEqual([]);
  expect(report.chains.find((c) => c.chainId === `authn-0/${BOOT_2}`)?.anchor).toEqual({ kind: 'checkpoint', chainId: `authn-0/${BOOT_1}`, sequence: 4 });
});
