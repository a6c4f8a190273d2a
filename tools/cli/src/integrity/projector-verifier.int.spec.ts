// Issue #21 item 3 with projectors side by side: two projectors in one consumer group share the
// partitions of a chain and write its links; exactly one of them (the holder of the advisory
// lock) verifies. When it stops, the other takes over, reads every link again and arrives at the
// same verdict, each finding stored once. The chain comes from the integrity library with real
// decision events (testdata/chained-decisions.fixture), one decision deleted on its way to Kafka.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKafkaBus } from '@authtrail/event-bus';
import { loadSigningKey, loadVerificationKeys } from '@authtrail/integrity';
import { CHAIN_VERIFIER_LOCK_KEY, publisherDeadLetters, resolveProjectorConfig, startProjector, type RunningProjector } from '@authtrail/projector';
import { findAuditIntegrity, openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { Client } from 'pg';
import { createTestDatabase, testKafka, testKafkaBrokers, uniqueTopic, waitFor } from '@authtrail/testing';
import { CHAIN_BOOT, chainedDecisions } from '../testdata/chained-decisions.fixture';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const KEY = loadSigningKey({ id: 'k2026', key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
const KEYS = loadVerificationKeys([{ id: 'k2026', key: publicKey.export({ format: 'pem', type: 'spki' }).toString() }]);
const TOPICS = { decisions: uniqueTopic('verifier-decisions'), control: uniqueTopic('verifier-control') };
const GROUP = uniqueTopic('verifier-group');
const RECORDS = chainedDecisions(KEY, TOPICS);
const DELETED = 17;
const CHAIN_ID = `authn-0/${CHAIN_BOOT}`;
const ignore = (): void => undefined;
const silent = { debug: ignore, info: ignore, warn: ignore, error: ignore };

let dir: string;
let databaseUrl: string;
let db: ReadModelDb;
let bus: ReturnType<typeof createKafkaBus>;
const projectors: RunningProjector[] = [];

// Every pass below is asked for: a timed pass of the other projector could take the lock between
// the verifier's stop and the check that the lock is free.
const VERIFIER_PASSES_BY_HAND = 3_600_000;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-verifier-'));
  const kafka = testKafka('authtrail-verifier-spec');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPICS.decisions, numPartitions: 3 }, { topic: TOPICS.control, numPartitions: 1 }, { topic: `${GROUP}-dead`, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const record of RECORDS.filter((r) => r.sequence !== DELETED)) await producer.send({ topic: record.topic, acks: -1, messages: [{ partition: record.partition, key: 'k', value: record.value }] });
  await producer.disconnect();

  databaseUrl = await createTestDatabase('projector_verifier');
  await runMigrations(databaseUrl);
  db = await openReadModel(databaseUrl, { poolSize: 6 });
  bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'verifier-spec', mode: 'strict', spoolDir: path.join(dir, 'spool'), logger: silent });
  const config = resolveProjectorConfig({ groupId: GROUP, topics: [TOPICS.decisions, TOPICS.control], deadLetterTopic: `${GROUP}-dead` });
  for (let i = 0; i < 2; i += 1) {
    projectors.push(await startProjector(config, { db, subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), integrity: { keys: KEYS, gapGraceMs: 200, endOffsets: (topic) => bus.endOffsets(topic), intervalMs: VERIFIER_PASSES_BY_HAND } }));
  }
  // Both members of the group, between them, reach the end of every partition.
  await waitFor('the projectors to reach the end of the topics', async () => {
    const [row] = await db.query<{ projected: string | null }[]>('SELECT sum(next_offset)::text AS projected FROM projector_checkpoint WHERE group_id = $1', [GROUP]);
    return Number(row?.projected ?? 0) === RECORDS.length - 1 ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  for (const projector of projectors) await projector.stop();
  await bus?.close();
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const window = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };

/** Takes and gives back the verifier's lock in a session outside the projectors' pool. */
async function lockFreeInAnotherSession(): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [CHAIN_VERIFIER_LOCK_KEY]);
    if (rows[0]?.locked) await client.query('SELECT pg_advisory_unlock($1)', [CHAIN_VERIFIER_LOCK_KEY]);
    return rows[0]?.locked === true;
  } finally {
    await client.end();
  }
}

/** Passes of one verifier until the chain has stopped waiting on the deleted position. */
async function settled(projector: RunningProjector) {
  return waitFor('the verifier to name the gap', async () => {
    await projector.integrity?.pass();
    const { chains } = await findAuditIntegrity(db, window);
    return chains.length === 1 && chains[0]?.waitingFrom === null ? chains[0] : undefined;
  }, { intervalMs: 250, timeoutMs: 20_000 });
}

it('one projector verifies; the other writes links only, and takes over with the same verdict when the first stops', async () => {
  const [first, second] = projectors as [RunningProjector, RunningProjector];
  const verifies = [await first.integrity?.pass(), await second.integrity?.pass()];
  // Whichever asked first holds the lock: exactly one verifies.
  expect(verifies.filter((v) => v === true)).toHaveLength(1);
  const verifying = verifies[0] === true ? first : second;
  const other = verifying === first ? second : first;

  const verdict = await settled(verifying);
  expect(verdict.findings.map((f) => ({ kind: f.kind, sequence: f.sequence, toSequence: f.toSequence }))).toEqual([{ kind: 'gap', sequence: String(DELETED), toSequence: String(DELETED) }]);
  expect(verdict).toMatchObject({ chainId: CHAIN_ID, instance: 'authn-0', boot: CHAIN_BOOT, events: String(RECORDS.length - 1), anchor: { kind: 'genesis' } });
  // Verified through the last checkpoint before the gap, no further.
  const lastCheckpointBefore = Math.max(...RECORDS.filter((r) => r.topic === TOPICS.control && r.sequence < DELETED).map((r) => r.sequence));
  expect(verdict.verifiedThrough?.checkpointSequence).toBe(lastCheckpointBefore);
  expect(await other.integrity?.pass()).toBe(false);

  // The verifying projector stops: the other takes the lock, reads every link again, and finds the same, stored once.
  await verifying.stop();
  projectors.splice(projectors.indexOf(verifying), 1);
  // The lock is free for any session once the verifier stops, not only for the pooled connection
  // it used: a session of its own asks for it.
  expect(await lockFreeInAnotherSession()).toBe(true);
  expect(await other.integrity?.pass()).toBe(true);
  const again = await settled(other);
  const comparable = (chain: typeof verdict) => ({ ...chain, updatedAt: undefined, findings: chain.findings.map((f) => ({ ...f, foundAt: undefined })) });
  expect(comparable(again)).toEqual(comparable(verdict));
}, 60_000);
