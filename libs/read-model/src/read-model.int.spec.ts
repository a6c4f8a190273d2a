import { decisionEvent, eventSource } from '@authtrail/events';
import { createTestDatabase } from '@authtrail/testing';
import { Client } from 'pg';
import {
  applyReadModelChanges,
  countDecisions,
  createDataSource,
  findCredential,
  findDecision,
  findDecisions,
  findIdentity,
  findPolicyVersion,
  findRevocationById,
  inTransaction,
  insertControlEvents,
  insertDecisions,
  readControlEventPage,
  MissingKeyError,
  openReadModel,
  readCheckpoints,
  readProjectorHealth,
  revertMigrations,
  runMigrations,
  truncateDerivedReadModels,
  writeCheckpoints,
  type DecisionRow,
  type IdentityChange,
  type ReadModelChanges,
  type ReadModelDb,
} from './index';

const EMPTY: ReadModelChanges = {
  identities: [],
  credentials: [],
  failureBuckets: [],
  policyClaims: [],
  revocationsRevoked: [],
  revocationsLifted: [],
  revocationsLiftedAfterRevoked: [],
  producerSequences: [],
};

// A row as the projector writes it, around a real event built by the libs/events builder.
function decisionRow(id: string, time: string, overrides: Partial<DecisionRow> = {}): DecisionRow {
  const payload = decisionEvent({
    id,
    time: new Date(time),
    source: eventSource('authn', 'authn-1'),
    data: {
      decision: 'allow',
      httpStatus: 200,
      reason: 'ok',
      strategy: 'static-token',
      attempts: [{ strategy: 'static-token', outcome: 'authenticated' }],
      user: { username: 'alice', groups: ['dev', 'system:authenticated'], extra: {} },
      credential: { type: 'static-token', fingerprint: 'hmac-sha256:k1:aa' },
      request: { endpoint: 'authenticate', sourceIp: '10.0.0.1', userAgent: 'curl' },
      policy: { version: 1, effects: [] },
      instance: 'authn-1',
      sequence: 1,
    },
  });
  return {
    id,
    time,
    decision: 'allow',
    httpStatus: 200,
    reason: 'ok',
    strategy: 'static-token',
    username: 'alice',
    claimed: false,
    claimedUsernameHash: null,
    groups: ['dev', 'system:authenticated'],
    sourceIp: '10.0.0.1',
    userAgent: 'curl',
    endpoint: 'authenticate',
    callerSubject: null,
    credentialFingerprint: 'hmac-sha256:k1:aa',
    credentialType: 'static-token',
    policyVersion: 1,
    instance: 'authn-1',
    boot: null,
    sequence: 1,
    payload,
    ...overrides,
  };
}

const uuid = (n: number): string => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

describe('read-model schema and writes', () => {
  let url: string;
  let db: ReadModelDb;

  beforeAll(async () => {
    url = await createTestDatabase('read_model');
    expect(await runMigrations(url)).toEqual([
      'CreateReadModels1764374400000',
      'StoreDecisionPayloadAsJson1795910400000',
      'AddProducerBootsAndUsernameHashes1796515200000',
      'OrderControlEventsAndLifts1797120000000',
      'AddDecisionCaller1797724800000',
      'AddIntegrityReadModels1798329600000',
      'PartitionDecisionsByTime1798934400000',
      'RollUpFailuresByHourAndDay1799539200000',
      'SlimIntegrityLinks1800144000000',
    ]);
    db = await openReadModel(url);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('running the migrations again applies nothing', async () => {
    expect(await runMigrations(url)).toEqual([]);
  });

  it('the entities describe exactly the tables the migrations create (no drift)', async () => {
    const sql = await db.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('a duplicated decision is inserted once and reported new only the first time', async () => {
    const row = decisionRow(uuid(1), '2026-01-01T00:00:00.000Z');
    expect([...(await insertDecisions(db, [row]))]).toEqual([uuid(1)]);
    expect([...(await insertDecisions(db, [row, decisionRow(uuid(2), '2026-01-01T00:00:01.000Z')]))]).toEqual([uuid(2)]);
    const found = await findDecision(db, uuid(1));
    expect(found).toMatchObject({ id: uuid(1), sourceIp: '10.0.0.1', groups: ['dev', 'system:authenticated'], username: 'alice' });
  });

  it('the dedup key is (time, id): the same id at another time is another event', async () => {
    const first = decisionRow(uuid(3), '2026-01-01T00:00:03.000Z');
    const sameIdLater = decisionRow(uuid(3), '2026-01-01T00:00:04.000Z');
    expect([...(await insertDecisions(db, [first]))]).toEqual([uuid(3)]);
    expect([...(await insertDecisions(db, [sameIdLater]))]).toEqual([uuid(3)]);
    expect([...(await insertDecisions(db, [first]))]).toEqual([]);
    const [row] = await db.query(`SELECT count(*)::int AS n FROM decision WHERE id = $1`, [uuid(3)]);
    expect(row.n).toBe(2);
  });

  it('a duplicate in a batch sends the whole batch the ON CONFLICT way: only the new rows are reported and stored', async () => {
    const stored = decisionRow(uuid(6), '2026-01-01T00:00:07.000Z');
    await insertDecisions(db, [stored]);
    const batch = [decisionRow(uuid(7), '2026-01-01T00:00:08.000Z'), stored, decisionRow(uuid(8), '2026-01-01T00:00:09.000Z')];
    const newIds = await inTransaction(db, async (tx) => {
      const first = await insertDecisions(tx, batch);
      // The next slice in the same transaction takes the fast path again (the staging table is empty).
      const second = await insertDecisions(tx, [decisionRow(uuid(9), '2026-01-01T00:00:10.000Z'), batch[0]]);
      return [...first, ...second];
    });
    expect(newIds.sort()).toEqual([uuid(7), uuid(8), uuid(9)]);
    const [row] = await db.query(`SELECT count(*)::int AS n FROM decision WHERE id = ANY($1::uuid[])`, [[uuid(6), uuid(7), uuid(8), uuid(9)]]);
    expect(row.n).toBe(4);
  });

  it('a decision another transaction is inserting makes ours wait; once that one commits, ours reports it as not new', async () => {
    const row = decisionRow(uuid(4), '2026-01-01T00:00:05.000Z');
    let releaseOther: () => void = () => undefined;
    const otherHolds = new Promise<void>((resolve) => (releaseOther = resolve));
    let otherInserted: () => void = () => undefined;
    const inserted = new Promise<void>((resolve) => (otherInserted = resolve));
    // The other writer inserts the row and keeps its transaction open until told to commit.
    const other = inTransaction(db, async (tx) => {
      await insertDecisions(tx, [row]);
      otherInserted();
      await otherHolds;
    });
    await inserted;
    const fresh = decisionRow(uuid(10), '2026-01-01T00:00:11.000Z');
    const ours = inTransaction(db, (tx) => insertDecisions(tx, [fresh, row]));
    for (let i = 0; i < 100; i += 1) {
      const [waiting] = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
      if (waiting.n > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    releaseOther();
    await other;
    expect([...(await ours)]).toEqual([uuid(10)]);
    expect([...(await insertDecisions(db, [row]))]).toEqual([]);
  });

  it('a payload is stored as the JSON it was given (json column, read back as an object)', async () => {
    const row = decisionRow(uuid(5), '2026-01-01T00:00:06.000Z');
    const payload = { ...row.payload, data: { ...row.payload.data, message: 'tab\there, backslash \\ and "quotes"', attempts: [] } };
    await insertDecisions(db, [{ ...row, payload }]);
    const [stored] = await db.query(`SELECT payload, pg_typeof(payload)::text AS type FROM decision WHERE id = $1`, [uuid(5)]);
    expect(stored).toEqual({ payload, type: 'json' });
  });

  it('identity changes merge commutatively: counts add, latest fields follow (time, id)', async () => {
    const newer: IdentityChange = {
      username: 'bob',
      uid: 'u-new',
      kind: 'user',
      groups: ['new'],
      strategies: ['oidc'],
      firstSeen: '2026-01-02T00:00:00.000Z',
      lastSeen: '2026-01-02T00:00:00.000Z',
      lastEventId: uuid(20),
      successCount: 2,
      failureCount: 0,
      lastSourceIp: '10.0.0.2',
    };
    const older: IdentityChange = { ...newer, uid: 'u-old', groups: ['old'], strategies: ['basic-auth'], firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:00.000Z', lastEventId: uuid(10), successCount: 1, failureCount: 3, lastSourceIp: '10.0.0.1' };
    await applyReadModelChanges(db, { ...EMPTY, identities: [newer] });
    await applyReadModelChanges(db, { ...EMPTY, identities: [older] });
    const bob = await findIdentity(db, 'bob');
    expect(bob).toMatchObject({ uid: 'u-new', groups: ['new'], strategies: ['basic-auth', 'oidc'], successCount: 3, failureCount: 3, lastSourceIp: '10.0.0.2' });
    expect(bob?.firstSeen.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(bob?.lastSeen.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });

  it('a credential counts distinct source IPs exactly across batches and follows its revocation', async () => {
    const change = {
      fingerprint: 'hmac-sha256:k1:bb',
      type: 'static-token',
      strategy: 'static-token',
      username: 'carol',
      publicId: null,
      issuer: null,
      expiresAt: null,
      firstUsed: '2026-01-01T00:00:00.000Z',
      lastUsed: '2026-01-01T00:00:00.000Z',
      lastEventId: uuid(30),
      useCount: 1,
      failureCount: 1,
      sourceIps: ['10.0.0.1', '2001:db8::1'],
    };
    await applyReadModelChanges(db, { ...EMPTY, credentials: [change] });
    await applyReadModelChanges(db, { ...EMPTY, credentials: [{ ...change, lastEventId: uuid(31), sourceIps: ['10.0.0.1', '10.0.0.9'] }] });
    expect(await findCredential(db, 'hmac-sha256:k1:bb')).toMatchObject({ useCount: 2, failureCount: 2, distinctSourceIps: 3, revoked: false });
    await applyReadModelChanges(db, {
      ...EMPTY,
      revocationsRevoked: [{ revocationId: 'r1', fingerprint: 'hmac-sha256:k1:bb', jti: null, certSerial: null, certIssuer: null, reason: 'leaked', revokedBy: 'admin', revokedAt: '2026-01-03T00:00:00.000Z', expiresAt: null }],
    });
    expect((await findCredential(db, 'hmac-sha256:k1:bb'))?.revoked).toBe(true);
    await applyReadModelChanges(db, { ...EMPTY, revocationsLifted: [{ revocationId: 'r1', liftedAt: '2026-01-04T00:00:00.000Z', liftedBy: 'admin', liftReason: null, liftEventId: uuid(41) }] });
    expect((await findCredential(db, 'hmac-sha256:k1:bb'))?.revoked).toBe(false);
  });

  it('policy claims are compare-and-set in the given order: the first claim of stored + 1 wins, later claims and gaps change nothing', async () => {
    const claim = (version: number, n: number) => ({ version, document: `d${n}`, appliedBy: null, comment: null, appliedAt: '2026-02-01T00:00:00.000Z', eventId: uuid(500 + n) });
    // One change: 1 (a), 1 (b: loses), 3 (gap: never), 2 (c).
    await applyReadModelChanges(db, { ...EMPTY, policyClaims: [claim(1, 1), claim(1, 2), claim(3, 3), claim(2, 4)] });
    // A later change: 2 again (loses), 4 (gap), 3 (d).
    await applyReadModelChanges(db, { ...EMPTY, policyClaims: [claim(2, 5), claim(4, 6), claim(3, 7)] });
    expect(await findPolicyVersion(db, 1)).toMatchObject({ document: 'd1', eventId: uuid(501) });
    expect(await findPolicyVersion(db, 2)).toMatchObject({ document: 'd4', eventId: uuid(504) });
    expect(await findPolicyVersion(db, 3)).toMatchObject({ document: 'd7', eventId: uuid(507) });
    expect(await findPolicyVersion(db, 4)).toBeUndefined();
  });

  it('revocations and lifts are judged in topic order: revoked once, a lift applies to a revocation in force, the first lift wins', async () => {
    const revoke = (revocationId: string, jti: string) => ({ revocationId, fingerprint: null, jti, certSerial: null, certIssuer: null, reason: null, revokedBy: null, revokedAt: '2026-02-02T00:00:00.000Z', expiresAt: null });
    const lift = (revocationId: string, n: number) => ({ revocationId, liftedAt: '2026-02-03T00:00:00.000Z', liftedBy: `admin-${n}`, liftReason: null, liftEventId: uuid(600 + n) });
    // c1: a lift before any revocation, then the revocation, then two lifts (first after the revocation wins).
    await applyReadModelChanges(db, { ...EMPTY, revocationsRevoked: [revoke('c1', 'first')], revocationsLifted: [lift('c1', 1)], revocationsLiftedAfterRevoked: [lift('c1', 2)] });
    expect(await findRevocationById(db, 'c1')).toMatchObject({ jti: 'first', liftedBy: 'admin-2', liftEventId: uuid(602) });
    // c2: revoked in one change; a later change lifts it twice (first wins) and revokes it again (ignored).
    await applyReadModelChanges(db, { ...EMPTY, revocationsRevoked: [revoke('c2', 'original')] });
    await applyReadModelChanges(db, { ...EMPTY, revocationsRevoked: [revoke('c2', 'again')], revocationsLifted: [lift('c2', 3)], revocationsLiftedAfterRevoked: [lift('c2', 4)] });
    expect(await findRevocationById(db, 'c2')).toMatchObject({ jti: 'original', liftedBy: 'admin-3', liftEventId: uuid(603) });
    // Lifted stays lifted.
    await applyReadModelChanges(db, { ...EMPTY, revocationsLifted: [lift('c2', 5)] });
    expect(await findRevocationById(db, 'c2')).toMatchObject({ liftEventId: uuid(603) });
    // A lift of an unknown revocation stores nothing.
    await applyReadModelChanges(db, { ...EMPTY, revocationsLifted: [lift('c3', 6)] });
    expect(await findRevocationById(db, 'c3')).toBeUndefined();
  });

  it('control events are stored and replayed in the order given, not by time', async () => {
    // Later events with earlier times, and more than nine of them (position 10 after 9, not after 1).
    const at = (n: number) => ({ id: uuid(700 + n), time: new Date(Date.UTC(2026, 2, 1, 0, 0, 30 - n)).toISOString(), type: 'authtrail.control.policy.applied.v1', payload: { id: uuid(700 + n) } as never });
    const numbers = Array.from({ length: 12 }, (_, i) => i + 1);
    await insertControlEvents(db, numbers.slice(0, 5).map(at));
    await insertControlEvents(db, numbers.slice(5).map(at));
    const ids: string[] = [];
    for (let page = await readControlEventPage(db, null, 5); ; page = await readControlEventPage(db, page.next, 5)) {
      ids.push(...page.events.map((e) => (e as { id: string }).id));
      if (!page.next) break;
    }
    expect(ids.filter((id) => id > uuid(700) && id <= uuid(799))).toEqual(numbers.map((n) => uuid(700 + n)));
  });

  it('a credential first seen after its revocation is born revoked', async () => {
    await applyReadModelChanges(db, {
      ...EMPTY,
      revocationsRevoked: [{ revocationId: 'r2', fingerprint: 'hmac-sha256:k1:cc', jti: null, certSerial: null, certIssuer: null, reason: null, revokedBy: null, revokedAt: '2026-01-03T00:00:00.000Z', expiresAt: null }],
    });
    await applyReadModelChanges(db, {
      ...EMPTY,
      credentials: [{ fingerprint: 'hmac-sha256:k1:cc', type: 'static-token', strategy: null, username: null, publicId: null, issuer: null, expiresAt: null, firstUsed: '2026-01-05T00:00:00.000Z', lastUsed: '2026-01-05T00:00:00.000Z', lastEventId: uuid(40), useCount: 0, failureCount: 1, sourceIps: [] }],
    });
    expect((await findCredential(db, 'hmac-sha256:k1:cc'))?.revoked).toBe(true);
  });

  it('failure buckets without IP or username still merge into one bucket', async () => {
    const bucket = { minute: '2026-01-01T00:01:00.000Z', sourceIp: null, reason: 'unknown_token', strategy: null, username: null, credentialFingerprint: null, usernameHash: null, count: 2, firstSeen: '2026-01-01T00:01:05.000Z', lastSeen: '2026-01-01T00:01:06.000Z' };
    await applyReadModelChanges(db, { ...EMPTY, failureBuckets: [bucket] });
    await applyReadModelChanges(db, { ...EMPTY, failureBuckets: [{ ...bucket, count: 3 }] });
    const rows = await db.query(`SELECT count::int AS count FROM failure_bucket WHERE reason = 'unknown_token'`);
    expect(rows).toEqual([{ count: 5 }]);
  });

  it('producer sequences without a boot keep the old rule: gaps are the numbers never received between min and max', async () => {
    const change = (minSequence: number, maxSequence: number, received: number, lastSeen: string) => ({
      instance: 'authn-9', boot: '', minSequence, maxSequence, received, reportedLastSequence: null, dropped: 0,
      state: null, stateAt: null, stateEventId: null, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen,
    });
    await applyReadModelChanges(db, { ...EMPTY, producerSequences: [change(1, 3, 3, '2026-01-01T00:00:00.000Z')] });
    await applyReadModelChanges(db, { ...EMPTY, producerSequences: [change(7, 8, 2, '2026-01-01T00:00:01.000Z')] });
    const health = await readProjectorHealth(db);
    expect(health.producers.find((p) => p.instance === 'authn-9')).toMatchObject({ boot: null, minSequence: 1, maxSequence: 8, lastSequence: 8, received: 5, missing: 3 });
  });

  it('a producer state follows the newest status by (time, id) whatever order the changes arrive in', async () => {
    const status = (state: 'running' | 'stopped', at: string, eventId: string, lastSequence: number) => ({
      instance: 'authn-10', boot: uuid(70), minSequence: null, maxSequence: null, received: 0, reportedLastSequence: lastSequence,
      dropped: lastSequence === 5 ? 2 : 1, state, stateAt: at, stateEventId: eventId, firstSeen: at, lastSeen: at,
    });
    await applyReadModelChanges(db, { ...EMPTY, producerSequences: [status('stopped', '2026-01-01T00:00:09.000Z', uuid(72), 5)] });
    await applyReadModelChanges(db, { ...EMPTY, producerSequences: [status('running', '2026-01-01T00:00:01.000Z', uuid(71), 3)] });
    const health = await readProjectorHealth(db);
    expect(health.producers.find((p) => p.instance === 'authn-10')).toMatchObject({
      boot: uuid(70), minSequence: null, maxSequence: null, lastSequence: 5, received: 0, missing: 5, dropped: 2, state: 'stopped',
    });
  });

  it('a checkpoint written in a rolled-back transaction does not exist', async () => {
    const position = { groupId: 'g', topic: 't', partition: 0, nextOffset: '10', highWatermark: '12', lastEventTime: null, eventsProjected: 10, duplicatesSkipped: 0, deadLettered: 0 };
    await expect(
      inTransaction(db, async (tx) => {
        await writeCheckpoints(tx, [position]);
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(await readCheckpoints(db, 'g', [{ topic: 't', partition: 0 }])).toEqual([]);
    await inTransaction(db, (tx) => writeCheckpoints(tx, [position]));
    expect(await readCheckpoints(db, 'g', [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }])).toEqual([{ groupId: 'g', topic: 't', partition: 0, nextOffset: '10' }]);
    expect((await readProjectorHealth(db)).partitions[0]).toMatchObject({ lag: '2', eventsProjected: '10' });
  });

  it('a projection waits for a rebuild in progress and lands on top of it (no deadlock, nothing lost)', async () => {
    const identity: IdentityChange = { username: 'dora', uid: null, kind: 'user', groups: [], strategies: ['oidc'], firstSeen: '2026-02-01T00:00:00.000Z', lastSeen: '2026-02-01T00:00:00.000Z', lastEventId: uuid(50), successCount: 1, failureCount: 0, lastSourceIp: null };
    let applying: Promise<void> | undefined;
    await inTransaction(db, async (tx) => {
      await truncateDerivedReadModels(tx);
      applying = inTransaction(db, (other) => applyReadModelChanges(other, { ...EMPTY, identities: [identity] }));
      // Bounded wait until the projection's backend is blocked on the advisory lock.
      for (let i = 0; i < 100; i += 1) {
        const [row] = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND datname = current_database()`);
        if (row.n > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const [waiting] = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND datname = current_database()`);
      expect(waiting.n).toBe(1);
    });
    await applying;
    expect(await findIdentity(db, 'dora')).toMatchObject({ successCount: 1 });
  });

  it.each([
    ['an undefined username', () => findIdentity(db, undefined)],
    ['an empty fingerprint', () => findCredential(db, '')],
    ['an undefined decision id', () => findDecision(db, undefined)],
    ['an empty group id', () => readCheckpoints(db, '', [{ topic: 't', partition: 0 }])],
  ])('a lookup with %s is refused with MissingKeyError', async (_name, call) => {
    await expect(call()).rejects.toBeInstanceOf(MissingKeyError);
  });

  it('a decision id that is not a UUID finds nothing instead of failing', async () => {
    expect(await findDecision(db, "x' OR 1=1 --")).toBeNull();
  });
});

describe('migrations are reversible', () => {
  /** A fresh database with every migration applied, then the last `steps` reverted. */
  async function migratedThenReverted(name: string, steps: number, body: (url: string, db: ReadModelDb) => Promise<void>): Promise<void> {
    const url = await createTestDatabase(name);
    await runMigrations(url);
    expect(await revertMigrations(url, steps)).toBe(steps);
    const db = await openReadModel(url);
    try {
      await body(url, db);
    } finally {
      await db.destroy();
    }
  }

  it('down drops every table up created, and up works again after it', async () => {
    const url = await createTestDatabase('read_model_down');
    await runMigrations(url);
    const tables = async (): Promise<string[]> => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ t: string }>(`SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'read_model_migrations' ORDER BY 1`);
        return rows.map((r) => r.t);
      } finally {
        await client.end();
      }
    };
    expect(await tables()).toEqual([
      'control_event',
      'credential',
      'credential_source_ip',
      'decision',
      'decision_retirement',
      'failure_bucket',
      'failure_rollup',
      'identity',
      'integrity_chain',
      'integrity_finding',
      'integrity_link',
      'policy_version',
      'producer_sequence',
      'projector_checkpoint',
      'projector_status',
      'revocation',
    ]);
    expect(await revertMigrations(url)).toBe(9);
    expect(await tables()).toEqual([]);
    expect(await runMigrations(url)).toHaveLength(9);
    expect(await tables()).toHaveLength(16);
  });

  it('StoreDecisionPayloadAsJson turns payload into json and back into jsonb, keeping the stored events', async () => {
    const url = await createTestDatabase('read_model_payload_json');
    await runMigrations(url);
    const db = await openReadModel(url);
    try {
      const payloadType = async (): Promise<string> => {
        const [row] = await db.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'decision'::regclass AND attname = 'payload'`);
        return row.t;
      };
      const row = decisionRow(uuid(1), '2026-01-01T00:00:00.000Z');
      await insertDecisions(db, [row]);
      const storedPayload = async (): Promise<unknown> => (await db.query(`SELECT payload FROM decision WHERE id = $1`, [uuid(1)]))[0].payload;
      expect(await payloadType()).toBe('json');
      expect(await revertMigrations(url, 8)).toBe(8);
      expect(await payloadType()).toBe('jsonb');
      expect(await storedPayload()).toEqual(row.payload);
      expect(await runMigrations(url)).toEqual(['StoreDecisionPayloadAsJson1795910400000', 'AddProducerBootsAndUsernameHashes1796515200000', 'OrderControlEventsAndLifts1797120000000', 'AddDecisionCaller1797724800000', 'AddIntegrityReadModels1798329600000', 'PartitionDecisionsByTime1798934400000', 'RollUpFailuresByHourAndDay1799539200000', 'SlimIntegrityLinks1800144000000']);
      expect(await payloadType()).toBe('json');
      expect(await findDecision(db, uuid(1))).toMatchObject({ payload: row.payload });
    } finally {
      await db.destroy();
    }
  });

  it('AddProducerBootsAndUsernameHashes fills the new columns from stored data, keeps buckets mergeable, and folds back on down', async () => {
    await migratedThenReverted('read_model_boots', 7, async (url, db) => {
      // The previous schema, filled as the previous projector did.
      const hash = 'hmac-sha256-username:k1:' + 'cd'.repeat(32);
      const boot = '019aeea0-0000-7000-8000-000000000001';
      const denied = decisionRow(uuid(1), '2026-01-01T00:00:00.000Z');
      const payload = { ...denied.payload, data: { ...denied.payload.data, decision: 'deny', claimedUsernameHash: hash, boot } };
      await db.query(
        `INSERT INTO decision (id, time, decision, http_status, reason, payload) VALUES ($1, $2, 'deny', 401, 'invalid_password', $3::json)`,
        [uuid(1), '2026-01-01T00:00:00.000Z', JSON.stringify(payload)],
      );
      const oldKey = JSON.stringify(['2026-01-01T00:00:00.000Z', '10.0.0.1', 'invalid_password', 'basic-auth', null, null]);
      await db.query(
        `INSERT INTO failure_bucket (bucket_key, minute, source_ip, reason, strategy, count, first_seen, last_seen)
         VALUES ($1, '2026-01-01T00:00:00.000Z', '10.0.0.1', 'invalid_password', 'basic-auth', 2, '2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z')`,
        [oldKey],
      );
      await db.query(`INSERT INTO producer_sequence VALUES ('authn-1', 1, 4, 3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:04Z')`);

      expect(await runMigrations(url)).toEqual(['AddProducerBootsAndUsernameHashes1796515200000', 'OrderControlEventsAndLifts1797120000000', 'AddDecisionCaller1797724800000', 'AddIntegrityReadModels1798329600000', 'PartitionDecisionsByTime1798934400000', 'RollUpFailuresByHourAndDay1799539200000', 'SlimIntegrityLinks1800144000000']);
      expect(await db.query(`SELECT boot, claimed_username_hash AS hash FROM decision`)).toEqual([{ boot, hash }]);
      expect(await db.query(`SELECT instance, boot, received::int FROM producer_sequence`)).toEqual([{ instance: 'authn-1', boot: '', received: 3 }]);
      // A new failure of the same dimensions (no hash) lands in the rewritten bucket; one with a hash gets its own.
      const bucket = {
        minute: '2026-01-01T00:00:00.000Z', sourceIp: '10.0.0.1', reason: 'invalid_password', strategy: 'basic-auth', username: null,
        credentialFingerprint: null, usernameHash: null, count: 1, firstSeen: '2026-01-01T00:00:03.000Z', lastSeen: '2026-01-01T00:00:03.000Z',
      };
      await applyReadModelChanges(db, { ...EMPTY, failureBuckets: [bucket, { ...bucket, usernameHash: hash, count: 5 }] });
      expect(await db.query(`SELECT count::int, username_hash AS hash FROM failure_bucket ORDER BY count`)).toEqual([
        { count: 3, hash: null },
        { count: 5, hash },
      ]);
      const status = { minSequence: null, maxSequence: null, received: 0, reportedLastSequence: 9, dropped: 1, state: 'lost' as const, firstSeen: '2026-01-02T00:00:00.000Z', lastSeen: '2026-01-02T00:00:00.000Z' };
      await applyReadModelChanges(db, {
        ...EMPTY,
        producerSequences: [
          { ...status, instance: 'authn-1', boot, minSequence: 1, maxSequence: 6, received: 6, stateAt: '2026-01-02T00:00:00.000Z', stateEventId: uuid(2) },
          { ...status, instance: 'authn-2', boot, stateAt: '2026-01-02T00:00:00.000Z', stateEventId: uuid(3) },
        ],
      });

      expect(await revertMigrations(url, 7)).toBe(7);
      expect(await db.query(`SELECT bucket_key AS key, count::int FROM failure_bucket`)).toEqual([{ key: oldKey, count: 8 }]);
      // Per-boot rows fold into one per instance; a boot known only from its status has no sequence to keep.
      expect(await db.query(`SELECT instance, min_sequence::int AS min, max_sequence::int AS max, received::int FROM producer_sequence`)).toEqual([
        { instance: 'authn-1', min: 1, max: 6, received: 9 },
      ]);
      const [columns] = await db.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'decision' AND column_name IN ('boot', 'claimed_username_hash')`);
      expect(columns.n).toBe(0);
      expect(await runMigrations(url)).toEqual(['AddProducerBootsAndUsernameHashes1796515200000', 'OrderControlEventsAndLifts1797120000000', 'AddDecisionCaller1797724800000', 'AddIntegrityReadModels1798329600000', 'PartitionDecisionsByTime1798934400000', 'RollUpFailuresByHourAndDay1799539200000', 'SlimIntegrityLinks1800144000000']);
    });
  });

  it('OrderControlEventsAndLifts numbers stored control events by (time, id), new ones after them, and drops both columns on down', async () => {
    await migratedThenReverted('read_model_control_order', 6, async (url, db) => {
      for (const [n, time] of [[3, '2026-01-01T00:00:02.000Z'], [1, '2026-01-01T00:00:01.000Z'], [2, '2026-01-01T00:00:01.000Z']] as const) {
        await db.query(`INSERT INTO control_event (id, time, type, payload) VALUES ($1, $2, 'authtrail.control.policy.applied.v1', '{}'::jsonb)`, [uuid(n), time]);
      }
      expect(await runMigrations(url)).toEqual(['OrderControlEventsAndLifts1797120000000', 'AddDecisionCaller1797724800000', 'AddIntegrityReadModels1798329600000', 'PartitionDecisionsByTime1798934400000', 'RollUpFailuresByHourAndDay1799539200000', 'SlimIntegrityLinks1800144000000']);
      await insertControlEvents(db, [{ id: uuid(9), time: '2025-01-01T00:00:00.000Z', type: 'authtrail.control.policy.applied.v1', payload: {} as never }]);
      const order: { id: string }[] = await db.query(`SELECT id FROM control_event ORDER BY position`);
      expect(order.map((r) => r.id)).toEqual([uuid(1), uuid(2), uuid(3), uuid(9)]);
      expect(await revertMigrations(url, 6)).toBe(6);
      const [columns] = await db.query(
        `SELECT count(*)::int AS n FROM information_schema.columns WHERE (table_name, column_name) IN (('control_event', 'position'), ('revocation', 'lift_event_id'))`,
      );
      expect(columns.n).toBe(0);
    });
  });

  it('AddDecisionCaller adds caller_subject, which the projector writes and the caller filter reads, and drops it on down', async () => {
    await migratedThenReverted('read_model_caller', 5, async (url, db) => {
      // A decision stored by the previous projector: no caller, and afterwards a null subject.
      await db.query(`INSERT INTO decision (id, time, decision, http_status, reason, payload) VALUES ($1, '2026-01-01T00:00:00.000Z', 'allow', 200, 'ok', $2::json)`, [
        uuid(1),
        JSON.stringify(decisionRow(uuid(1), '2026-01-01T00:00:00.000Z').payload),
      ]);
      expect(await runMigrations(url)).toEqual(['AddDecisionCaller1797724800000', 'AddIntegrityReadModels1798329600000', 'PartitionDecisionsByTime1798934400000', 'RollUpFailuresByHourAndDay1799539200000', 'SlimIntegrityLinks1800144000000']);
      const subject = 'O=kube-master, CN=kube-apiserver';
      await insertDecisions(db, [decisionRow(uuid(2), '2026-01-01T00:00:01.000Z', { callerSubject: subject })]);
      expect(await db.query(`SELECT id, caller_subject AS subject FROM decision ORDER BY id`)).toEqual([
        { id: uuid(1), subject: null },
        { id: uuid(2), subject },
      ]);
      expect((await findDecisions(db, { callerSubject: subject }, { first: 10 })).rows.map((d) => d.id)).toEqual([uuid(2)]);
      expect(await countDecisions(db, { callerSubject: 'CN=somebody else' })).toBe(0);
      expect(await revertMigrations(url, 5)).toBe(5);
      const [columns] = await db.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'decision' AND column_name = 'caller_subject'`);
      expect(columns.n).toBe(0);
    });
  });

  it('createDataSource never synchronizes the schema', () => {
    expect(createDataSource('postgres://127.0.0.1:1/none').options.synchronize).toBe(false);
  });
});
