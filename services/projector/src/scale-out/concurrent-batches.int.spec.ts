import { controlEvent, CREDENTIAL_REVOKED_EVENT_TYPE, decisionEvent, encodeEvent, eventSource, type AuthtrailEvent, type DecisionData } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase, waitFor } from '@authtrail/testing';
import { Client } from 'pg';
import { queryRows } from '../../testdata/projector.harness';
import { projectRecords, type BatchPosition } from '../batch.handler';
import { oneUserFingerprint } from './testdata/one-user-stream';
import { deadlocksIn } from './testdata/sent-events';

// Two projectors' batches interleaved on purpose, at the statement where their transactions
// meet: a third session holds a lock both batches need, lets them pile up behind it, and lets
// go. What the batches do is the production path (projectRecords over encoded events); the
// holding session only locks and rolls back. PostgreSQL breaks a deadlock by aborting one of the
// transactions (40P01), so "no deadlock" is: both batches commit, and pg_stat_database counted none.

const BOOT = '0190a000-0000-7000-8000-0000000000c1';
let sequence = 0;
let idCounter = 0;
const nextId = (): string => `0190a100-0000-7000-8000-${(idCounter += 1).toString(16).padStart(12, '0')}`;

/** A denied presentation of `fingerprint` from `sourceIp`: no user, so no identity row to queue on. */
function failedPresentation(fingerprint: string, sourceIp: string): AuthtrailEvent {
  const data: DecisionData = {
    decision: 'deny',
    httpStatus: 401,
    reason: 'unknown_token',
    strategy: 'static-token',
    attempts: [{ strategy: 'static-token', outcome: 'rejected', reason: 'unknown_token' }],
    credential: { type: 'static-token', fingerprint },
    request: { endpoint: 'authenticate', sourceIp, userAgent: 'scale-out/1.0', tls: true },
    instance: 'authn-c',
    boot: BOOT,
    sequence: (sequence += 1),
  };
  return decisionEvent({ id: nextId(), time: new Date('2026-11-21T10:00:00.000Z'), source: eventSource('authn', 'authn-c'), data });
}

const toRecords = (events: readonly AuthtrailEvent[], topic: string, partition: number): ConsumedRecord[] =>
  events.map((event, i) => ({ topic, partition, offset: String(i), key: null, value: encodeEvent(event), headers: {}, timestamp: '0' }));
const at = (topic: string, partition: number, records: number): BatchPosition => ({ groupId: 'g', topic, partition, nextOffset: String(records), highWatermark: String(records), continuesCheckpoint: '0' });

/** Sessions of `url` waiting for a lock right now. */
async function waitingOnLocks(url: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
  return row.n;
}

describe('two projectors\' batches meeting on the same rows at the same moment', () => {
  let url: string;
  const pools: ReadModelDb[] = [];
  let holder: Client;

  beforeEach(async () => {
    url = await createTestDatabase('concurrent_batches');
    await runMigrations(url);
    pools.push(await openReadModel(url), await openReadModel(url));
    holder = new Client({ connectionString: url });
    await holder.connect();
  });
  afterEach(async () => {
    await holder.end().catch(() => undefined);
    for (const pool of pools.splice(0)) await pool.destroy();
  });

  it('the same new (credential, address) pairs met in opposite orders: both batches commit, no deadlock', async () => {
    const fingerprint = oneUserFingerprint(90);
    const [a, x, b] = ['10.30.0.1', '10.30.0.2', '10.30.0.3'];
    // The holder inserts pair x and keeps its transaction open: both batches stop there.
    await holder.query('BEGIN');
    await holder.query(`INSERT INTO credential_source_ip (fingerprint, source_ip) VALUES ($1, $2)`, [fingerprint, x]);
    const first = projectRecords(pools[0], toRecords([a, x, b].map((ip) => failedPresentation(fingerprint, ip)), 'decisions', 0), at('decisions', 0, 3));
    const second = projectRecords(pools[1], toRecords([b, x, a].map((ip) => failedPresentation(fingerprint, ip)), 'decisions', 1), at('decisions', 1, 3));
    await waitFor('both batches waiting on the held pair', async () => ((await waitingOnLocks(url)) >= 2 ? true : undefined), { timeoutMs: 30_000 });
    await holder.query('ROLLBACK');

    const outcomes = await Promise.allSettled([first, second]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).toEqual(['fulfilled', 'fulfilled']);
    const [credential] = await queryRows<{ v: string }>(url, `SELECT failure_count || '/' || distinct_source_ips AS v FROM credential WHERE fingerprint = $1`, [fingerprint]);
    expect(credential.v).toBe('6/3');
    for (const pool of pools.splice(0)) await pool.destroy();
    expect(await deadlocksIn(url)).toBe(0);
  });

  it('a revocation projected while another batch inserts the first use of its credential: the credential ends up revoked', async () => {
    const fingerprint = oneUserFingerprint(91);
    // A batch before: the producer boot's row exists, and the holder can lock it.
    await projectRecords(pools[0], toRecords([failedPresentation(oneUserFingerprint(92), '10.31.0.1')], 'decisions', 0), at('decisions', 0, 1));
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM producer_sequence WHERE instance = 'authn-c' AND boot = $1 FOR UPDATE`, [BOOT]);
    // The first use stores its credential row, then waits on the boot's row (its last upsert).
    const use = projectRecords(pools[0], toRecords([failedPresentation(fingerprint, '10.31.0.2')], 'decisions', 1), at('decisions', 1, 1));
    await waitFor('the first use waiting on the boot row', async () => ((await waitingOnLocks(url)) >= 1 ? true : undefined), { timeoutMs: 30_000 });
    const revocation = controlEvent({ id: nextId(), time: new Date('2026-11-21T10:00:01.000Z'), source: eventSource('graphql-api', 'g1'), type: CREDENTIAL_REVOKED_EVENT_TYPE, data: { revocationId: 'rev-concurrent', fingerprint, reason: 'leaked', revokedBy: 'admin' } });
    const revoke = projectRecords(pools[1], toRecords([revocation], 'control', 0), at('control', 0, 1));
    // Either it committed already, or it waits for the use to commit.
    let revokeSettled = false;
    void revoke.finally(() => (revokeSettled = true)).catch(() => undefined);
    await waitFor('the revocation committed or waiting', async () => (revokeSettled || (await waitingOnLocks(url)) >= 2 ? true : undefined), { timeoutMs: 30_000 });
    await holder.query('ROLLBACK');

    await Promise.all([use, revoke]);
    const [credential] = await queryRows<{ revoked: boolean }>(url, `SELECT revoked FROM credential WHERE fingerprint = $1`, [fingerprint]);
    expect(credential).toEqual({ revoked: true });
  });
});
