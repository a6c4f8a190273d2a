// The read-model query functions over tables filled the production way: events built with the
// libs/events builders, encoded as on Kafka, decoded and projected by the batch handler. The
// expected values are derived from the data the events were built from, never from rows.
import {
  controlEvent,
  decisionEvent,
  encodeEvent,
  eventSource,
  PRODUCER_STATUS_EVENT_TYPE,
  type AuthtrailEvent,
  type DecisionData,
  type ProducerStatusData,
} from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import {
  auditHealth,
  failureSeries,
  failureStats,
  findDecision,
  findDecisionById,
  findDecisions,
  findIdentitiesByUsernames,
  openReadModel,
  runMigrations,
  type ReadModelDb,
} from '@authtrail/read-model';
import { createTestDatabase } from '@authtrail/testing';
import { fingerprintOf, usernameHashOf } from '../testdata/event-generator';
import { projectRecords } from './batch.handler';

const source = eventSource('authn', 'authn-a');
let idCounter = 0;
/** UUIDv7-shaped ids, increasing. */
const nextId = (): string => `019aeea0-0000-7000-8000-${(++idCounter).toString(16).padStart(12, '0')}`;
const BOOT_1 = '019aeea0-1111-7000-8000-000000000001';
const BOOT_2 = '019aeea0-2222-7000-8000-000000000002';

const BASE: DecisionData = {
  decision: 'allow',
  httpStatus: 200,
  reason: 'ok',
  strategy: 'static-token',
  attempts: [{ strategy: 'static-token', outcome: 'authenticated' }],
  user: { username: 'alice', uid: '1001', groups: ['system:authenticated'], extra: {} },
  credential: { type: 'static-token', fingerprint: fingerprintOf(1) },
  request: { endpoint: 'authenticate', sourceIp: '10.0.0.1' },
  instance: 'authn-a',
  sequence: 1,
};

let offset = 0;
async function project(db: ReadModelDb, events: readonly AuthtrailEvent[]): Promise<void> {
  const records: ConsumedRecord[] = events.map((event) => ({
    topic: 'q',
    partition: 0,
    offset: String(offset++),
    key: null,
    value: encodeEvent(event),
    headers: {},
    timestamp: '0',
  }));
  const { outcome } = await projectRecords(db, records, { groupId: 'q', topic: 'q', partition: 0, nextOffset: String(offset), highWatermark: String(offset) });
  expect(outcome).toMatchObject({ projected: events.length, deadLettered: 0 });
}

const decision = (data: Partial<DecisionData>, time: string) =>
  decisionEvent({ id: nextId(), time: new Date(time), source, data: { ...BASE, ...data } });
const status = (data: ProducerStatusData, time: string) =>
  controlEvent({ id: nextId(), time: new Date(time), source, type: PRODUCER_STATUS_EVENT_TYPE, data });

describe('read-model queries over projected events', () => {
  let db: ReadModelDb;

  beforeAll(async () => {
    const url = await createTestDatabase('projector_queries');
    await runMigrations(url);
    db = await openReadModel(url);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('every field of a decision reads back through findDecisionById as the event said (payload.data, not the envelope)', async () => {
    const data: DecisionData = {
      decision: 'deny',
      httpStatus: 403,
      reason: 'policy_denied',
      message: 'denied by policy rule no-masters',
      strategy: 'static-token',
      attempts: [
        { strategy: 'basic-auth', outcome: 'abstained' },
        { strategy: 'static-token', outcome: 'authenticated' },
      ],
      user: { username: 'alice', uid: '1001', groups: ['dev', 'system:authenticated'], extra: {} },
      claimedUsernameHash: usernameHashOf(1),
      credential: { type: 'static-token', fingerprint: fingerprintOf(2), publicId: 'tok-2' },
      request: {
        endpoint: 'forward-auth',
        sourceIp: '10.1.2.3',
        forwardedFor: ['203.0.113.9', '10.0.0.1'],
        userAgent: 'curl/8.5',
        method: 'POST',
        path: '/api/v1/things?x=1',
        tls: true,
        caller: { certificate: { subject: 'O=edge, CN=gateway-1', issuer: 'CN=edge CA', serial: '0B', sha256: 'cd'.repeat(32), verified: true }, proxies: ['10.0.0.1'] },
      },
      policy: {
        version: 3,
        effects: [
          { rule: 'requireTls', effect: 'warn', message: 'cleartext credential' },
          { rule: 'denyGroups', effect: 'deny', message: 'group system:masters' },
        ],
      },
      latencyMicros: 1234,
      instance: 'authn-a',
      boot: BOOT_1,
      sequence: 42,
    };
    const time = '2026-12-01T10:00:00.123Z';
    // Its place in its producer's hash chain (docs/integrity.md) is read back from the stored record.
    const chain = { chainid: `authn-a/${BOOT_1}`, chainseq: 57, chainprev: 'ab'.repeat(32) };
    const event = { ...decision(data, time), ...chain };
    await project(db, [event]);

    expect(await findDecisionById(db, event.id)).toEqual({
      id: event.id,
      time: new Date(time),
      decision: 'deny',
      httpStatus: 403,
      reason: 'policy_denied',
      message: data.message,
      strategy: 'static-token',
      username: 'alice',
      usernameClaimed: false,
      claimedUsernameHash: usernameHashOf(1),
      uid: '1001',
      groups: ['dev', 'system:authenticated'],
      sourceIp: '10.1.2.3',
      forwardedFor: ['203.0.113.9', '10.0.0.1'],
      userAgent: 'curl/8.5',
      endpoint: 'forward-auth',
      method: 'POST',
      path: '/api/v1/things?x=1',
      tls: true,
      credentialFingerprint: fingerprintOf(2),
      credentialType: 'static-token',
      credentialPublicId: 'tok-2',
      attempts: data.attempts,
      policyVersion: 3,
      policyEffects: data.policy?.effects,
      latencyMicros: 1234,
      instance: 'authn-a',
      boot: BOOT_1,
      sequence: 42,
      normalizedFields: [],
      caller: { certificate: { subject: 'O=edge, CN=gateway-1', issuer: 'CN=edge CA', serial: '0B', sha256: 'cd'.repeat(32), verified: true }, proxies: ['10.0.0.1'] },
      chain: { id: chain.chainid, sequence: chain.chainseq, previous: chain.chainprev },
    });
    // The stored row keeps the whole CloudEvent.
    expect((await findDecision(db, event.id))?.payload).toEqual(JSON.parse(encodeEvent(event).toString()));
    // The caller's subject is a column: the caller filter finds the decision by it.
    expect((await findDecision(db, event.id))?.callerSubject).toBe('O=edge, CN=gateway-1');
    expect((await findDecisions(db, { callerSubject: 'O=edge, CN=gateway-1' }, { first: 10 })).rows.map((d) => d.id)).toEqual([event.id]);
  });

  it('a request string the builder had to change reads back changed, with the change listed', async () => {
    const event = decision({ request: { endpoint: 'authenticate', sourceIp: '10.0.0.2', userAgent: 'evil\u0000agent' } }, '2026-12-01T10:00:01.000Z');
    await project(db, [event]);
    expect(await findDecisionById(db, event.id)).toMatchObject({
      userAgent: 'evil\uFFFDagent',
      normalizedFields: [{ field: 'request.userAgent', action: 'replaced' }],
    });
  });

  describe('claimed names', () => {
    const typedHash = usernameHashOf(100);
    const bobHash = usernameHashOf(101);
    const denied = { decision: 'deny', httpStatus: 401, reason: 'invalid_password', strategy: 'basic-auth', user: undefined, credential: { type: 'basic-auth', fingerprint: fingerprintOf(3) } } as const;
    const typed = [0, 1, 2].map((n) => decision({ ...denied, claimedUsernameHash: typedHash }, `2026-12-01T11:00:0${n}.000Z`));
    const bob = [0, 1].map((n) => decision({ ...denied, claimedUsername: 'bob', claimedUsernameHash: bobHash }, `2026-12-01T11:00:1${n}.000Z`));
    const aliceDenied = decision({ decision: 'deny', httpStatus: 403, reason: 'policy_denied' }, '2026-12-01T11:00:20.000Z');
    const aliceGuess = decision({ ...denied, claimedUsername: 'alice', claimedUsernameHash: usernameHashOf(102) }, '2026-12-01T11:00:21.000Z');

    beforeAll(async () => {
      await project(db, [...typed, ...bob, aliceDenied, aliceGuess]);
    });

    it('a typed name is stored only as its hash; a known claimed name is the username, marked claimed', async () => {
      expect(await findDecisionById(db, typed[0].id)).toMatchObject({ username: null, usernameClaimed: false, claimedUsernameHash: typedHash });
      expect(await findDecisionById(db, bob[0].id)).toMatchObject({ username: 'bob', usernameClaimed: true, claimedUsernameHash: bobHash });
      // Claimed-only failures create no identity.
      expect((await findIdentitiesByUsernames(db, ['bob', 'alice'])).map((i) => i.username)).toEqual(['alice']);
    });

    it('the claimedUsernameHashes filter finds the decisions that claimed any of the hashes', async () => {
      const page = await findDecisions(db, { claimedUsernameHashes: [typedHash, bobHash] }, { first: 10 });
      expect(page.rows.map((r) => r.id).sort()).toEqual([...typed, ...bob].map((e) => e.id).sort());
      expect((await findDecisions(db, { claimedUsernameHashes: [usernameHashOf(999)] }, { first: 10 })).rows).toEqual([]);
    });

    it('failureStats by USERNAME groups a clear name by the name, a name never stored by its hash; other groupings have no hash', async () => {
      const window = { since: new Date('2026-12-01T11:00:00.000Z'), until: new Date('2026-12-01T11:01:00.000Z') };
      const groups = await failureStats(db, { ...window, groupBy: 'username', limit: 10 });
      expect(groups.map(({ key, usernameHash, count }) => ({ key, usernameHash, count }))).toEqual([
        { key: null, usernameHash: typedHash, count: typed.length },
        // The policy refusal (no hash) and the wrong password (hash) of alice are one group.
        { key: 'alice', usernameHash: null, count: 2 },
        { key: 'bob', usernameHash: null, count: bob.length },
      ]);
      const byReason = await failureStats(db, { ...window, groupBy: 'reason', limit: 10 });
      expect(byReason.every((g) => g.usernameHash === null)).toBe(true);
      const series = await failureSeries(db, { ...window, groupBy: 'username' }, [null, 'bob'], 60);
      expect(series.map(({ key, usernameHash, count }) => ({ key, usernameHash, count }))).toEqual([
        { key: 'bob', usernameHash: null, count: bob.length },
        { key: null, usernameHash: typedHash, count: typed.length },
      ]);
    });
  });

  it('auditHealth reports gaps and drops per producer boot: a lost boot, a fresh boot, and a producer without boots', async () => {
    const t = (s: number): string => new Date(Date.UTC(2026, 11, 2, 0, 0, s)).toISOString();
    // Boot 1 handed out 1..12 (its lost report says so) and dropped 2 itself; 7 of its events arrived.
    const boot1Received = [1, 2, 3, 5, 6, 7, 10];
    const boot1 = boot1Received.map((sequence) => decision({ instance: 'authn-r', boot: BOOT_1, sequence, ...(sequence === 10 ? { dropped: 1 } : {}) }, t(sequence)));
    const boot1Lost = status({ instance: 'authn-r', boot: BOOT_1, state: 'lost', lastSequence: 12, dropped: 2 }, t(30));
    const boot1StaleHeartbeat = status({ instance: 'authn-r', boot: BOOT_1, state: 'running', lastSequence: 6, dropped: 0 }, t(6));
    // Boot 2 started fresh at 1; everything arrived.
    const boot2 = [1, 2, 3].map((sequence) => decision({ instance: 'authn-r', boot: BOOT_2, sequence }, t(30 + sequence)));
    const boot2Heartbeat = status({ instance: 'authn-r', boot: BOOT_2, state: 'running', lastSequence: 3, dropped: 0 }, t(34));
    // An older producer without boots: the min-based rule.
    const legacy = [4, 5, 7].map((sequence) => decision({ instance: 'authn-old', sequence }, t(40 + sequence)));

    // Status before the decisions it accounts for, and a stale heartbeat after the loss report.
    await project(db, [boot1Lost, ...boot1.slice(0, 3), boot2Heartbeat]);
    await project(db, [...boot2, ...boot1.slice(3), boot1StaleHeartbeat, ...legacy]);

    const health = await auditHealth(db);
    const producers = health.producers.filter((p) => p.instance === 'authn-r' || p.instance === 'authn-old');
    expect(producers.map(({ instance, boot, minSequence, maxSequence, lastSequence, received, missing, dropped, state }) => ({ instance, boot, minSequence, maxSequence, lastSequence, received, missing, dropped, state }))).toEqual([
      { instance: 'authn-old', boot: null, minSequence: 4, maxSequence: 7, lastSequence: 7, received: 3, missing: 7 - 4 + 1 - 3, dropped: 0, state: null },
      { instance: 'authn-r', boot: BOOT_1, minSequence: 1, maxSequence: 10, lastSequence: 12, received: 7, missing: 12 - 7, dropped: 2, state: 'lost' },
      { instance: 'authn-r', boot: BOOT_2, minSequence: 1, maxSequence: 3, lastSequence: 3, received: 3, missing: 0, dropped: 0, state: 'running' },
    ]);
    const boot1Row = producers.find((p) => p.boot === BOOT_1);
    expect(boot1Row?.firstSeen).toEqual(new Date(t(1)));
    expect(boot1Row?.lastSeen).toEqual(new Date(t(30)));
    expect(boot1Row?.stateAt).toEqual(new Date(t(30)));
    // Every producer of this database, so the totals are the sums over all of them.
    expect(health.totals).toEqual({
      sequenceGaps: health.producers.reduce((n, p) => n + p.missing, 0),
      droppedEvents: health.producers.reduce((n, p) => n + p.dropped, 0),
      deadLettered: 0,
    });
    expect(health.totals.sequenceGaps).toBeGreaterThanOrEqual(5 + 1);
  });
});
