import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafkaBus, type EventBus } from '@authtrail/event-bus';
import { CREDENTIAL_REVOKED_EVENT_TYPE, encodeEvent, partitionKeyOfEvent, REVOCATION_LIFTED_EVENT_TYPE, type AuthtrailEvent } from '@authtrail/events';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase, testKafka, testKafkaBrokers, uniqueTopic, waitFor } from '@authtrail/testing';
import { Registry } from 'prom-client';
import { publisherDeadLetters } from '../bus-dead-letters';
import { resolveProjectorConfig } from '../projector.config';
import { startProjector, type ProjectorLogger, type RunningProjector } from '../projector';
import { projectCleanRun, queryRows, snapshotReadModels, waitUntilCaughtUp } from '../../testdata/projector.harness';
import { ONE_USER, oneUserStream } from './testdata/one-user-stream';
import { countsInDatabase, countsOfSent, deadlocksIn } from './testdata/sent-events';
import { createScaleOutTopics } from './testdata/topics';

// Issue 20 item 2: projectors of one group writing the same identity at once. In production a
// user's decisions share a partition (key = username), but the rows behind an identity are not
// all keyed by it: a credential's failed presentations are keyed by its fingerprint, failure
// buckets and producer boots collect every partition. The worst case is sent here: every
// decision about ONE user, spread round-robin over every partition, all of it published before
// the projectors fetch, so each batch of each projector holds the same identity, credentials,
// (credential, address) pairs, buckets and boots as the batches the others commit at that moment;
// revocations and lifts of the same credentials arrive on the control topic meanwhile.
const kafka = testKafka('one-identity');
const PROJECTORS = 3;
const PARTITIONS = 3;

interface Member {
  readonly bus: EventBus;
  readonly db: ReadModelDb;
  readonly spool: string;
  readonly projector: RunningProjector;
  /** Its newest assignment (`topic/partition`), from the projector's own log. */
  assigned(): readonly string[];
}

describe('three projectors writing one identity at the same time', () => {
  const topics = { decisions: uniqueTopic('one-identity.decisions'), control: uniqueTopic('one-identity.control'), deadLetter: uniqueTopic('one-identity.dlq') };
  const groupId = uniqueTopic('one-identity.group');
  const stream = oneUserStream(6_000);
  const sent: AuthtrailEvent[] = [...stream.decisions, ...stream.controls];
  const members: Member[] = [];
  let url: string;
  let cleanUrl: string;

  beforeAll(async () => {
    url = await createTestDatabase('one_identity');
    await runMigrations(url);
    await createScaleOutTopics(kafka, topics, PARTITIONS);
    const config = resolveProjectorConfig({ groupId, topics: [topics.decisions, topics.control], deadLetterTopic: topics.deadLetter });
    for (let i = 0; i < PROJECTORS; i += 1) {
      const spool = mkdtempSync(path.join(tmpdir(), 'one-identity-'));
      const bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: `one-identity-${i}`, mode: 'strict', spoolDir: spool });
      const db = await openReadModel(url);
      const held = { assigned: [] as string[] };
      const logger: ProjectorLogger = {
        info: (fields) => {
          const starts = (fields as { starts?: { topic: string; partition: number }[] }).starts;
          if (starts) held.assigned = starts.map((s) => `${s.topic}/${s.partition}`);
        },
        warn: () => undefined,
        error: () => undefined,
      };
      const projector = await startProjector(config, { db, subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), registry: new Registry(), logger });
      members.push({ bus, db, spool, projector, assigned: () => held.assigned });
    }
    // Every projector holds a decision partition before anything is published.
    await waitFor('each projector holding one decision partition', async () => (members.every((m) => m.assigned().some((p) => p.startsWith(topics.decisions))) && new Set(members.flatMap((m) => m.assigned())).size === PARTITIONS + 1 ? true : undefined), { timeoutMs: 60_000 });

    const producer = kafka.producer();
    await producer.connect();
    // Round-robin over the partitions, not by key: the key would put the user on one partition.
    const decisions = stream.decisions.map((event, i) => ({ key: partitionKeyOfEvent(event), value: encodeEvent(event), partition: i % PARTITIONS }));
    const controls = stream.controls.map((event) => ({ key: partitionKeyOfEvent(event), value: encodeEvent(event) }));
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic: topics.control, messages: controls }] });
    for (let i = 0; i < decisions.length; i += 2_000) await producer.sendBatch({ acks: -1, topicMessages: [{ topic: topics.decisions, messages: decisions.slice(i, i + 2_000) }] });
    await producer.disconnect();
    await waitUntilCaughtUp(url, groupId, kafka, config.topics, 120_000);

    const spool = mkdtempSync(path.join(tmpdir(), 'one-identity-clean-'));
    const reference = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'one-identity-clean', mode: 'strict', spoolDir: spool });
    try {
      cleanUrl = await projectCleanRun({ prefix: 'one_identity_clean', subscriber: reference.subscriber, deadLetters: publisherDeadLetters(reference.publisher), topics: config.topics, deadLetterTopic: topics.deadLetter });
    } finally {
      await reference.close();
      rmSync(spool, { recursive: true, force: true });
    }
  }, 240_000);

  afterAll(async () => {
    for (const m of members) {
      await m.projector.stop();
      await m.bus.close();
      // The deadlock test already closed the pool (its sessions report their statistics then).
      await m.db.destroy().catch(() => undefined);
      rmSync(m.spool, { recursive: true, force: true });
    }
  });

  it('every projector projected a share of the user\'s decisions', () => {
    for (const m of members) expect(m.projector.stats().projected).toBeGreaterThan(0);
    expect(members.reduce((n, m) => n + m.projector.stats().projected, 0)).toBe(sent.length);
  });

  it('no deadlock: PostgreSQL detected none, and no batch failed or was retried', async () => {
    for (const m of members) expect(m.projector.stats().failedBatches).toBe(0);
    const [status] = await queryRows<{ errors: string[] }>(url, `SELECT coalesce(array_agg(last_error) FILTER (WHERE last_error IS NOT NULL), '{}') AS errors FROM projector_status WHERE group_id = $1`, [groupId]);
    expect(status.errors).toEqual([]);
    // Closing the pools ends their sessions, which reports their statistics.
    for (const m of members) {
      await m.projector.stop();
      await m.db.destroy();
    }
    expect(await deadlocksIn(url)).toBe(0);
  });

  it('the identity, its credentials, pairs, buckets and boots count every decision exactly once', async () => {
    const counts = await countsInDatabase(url);
    expect(counts).toEqual(countsOfSent(sent));
    expect(Object.keys(counts.identities)).toEqual([ONE_USER]);
  });

  it('credential.revoked follows the revocations and lifts in topic order', async () => {
    const fingerprintOf = new Map<string, string>();
    const lifted = new Set<string>();
    for (const e of stream.controls) {
      if (e.type === CREDENTIAL_REVOKED_EVENT_TYPE && e.data.fingerprint) fingerprintOf.set(e.data.revocationId, e.data.fingerprint);
      if (e.type === REVOCATION_LIFTED_EVENT_TYPE && fingerprintOf.has(e.data.revocationId)) lifted.add(e.data.revocationId);
    }
    const expected = [...new Set([...fingerprintOf].filter(([id]) => !lifted.has(id)).map(([, fingerprint]) => fingerprint))].sort();
    const rows = await queryRows<{ fingerprint: string }>(url, `SELECT fingerprint FROM credential WHERE revoked ORDER BY fingerprint COLLATE "C"`);
    expect(rows.map((r) => r.fingerprint)).toEqual(expected);
  });

  it('every read model equals one projector\'s clean run of the same topics', async () => {
    expect(await snapshotReadModels(url)).toEqual(await snapshotReadModels(cleanUrl));
  });
});
