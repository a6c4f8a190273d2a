import { ALLOWED_DECISION, DENIED_DECISION } from '../testdata/decision.fixtures';
import { controlEvent, decisionEvent, eventSource, PRODUCER_STATUS_EVENT_TYPE, type AuthtrailEvent, type DecisionData, type ProducerStatusData } from '@authtrail/events';
import fc from 'fast-check';
import { generateEvents } from '../testdata/event-generator';
import { evolve, identityKind, minuteOf, startEvolution } from './read-model.projection';

const source = eventSource('authn', 'pod-7');
let n = 0;
const id = (): string => `019acea0-1f3b-7abc-8def-${(n++).toString(16).padStart(12, '0')}`;
const decision = (data: Partial<DecisionData>, time = '2026-11-29T10:15:30.123Z'): AuthtrailEvent =>
  decisionEvent({ id: id(), time: new Date(time), source, data: { ...ALLOWED_DECISION, ...data } });

describe('evolve', () => {
  it('no events give no changes', () => {
    expect(evolve([])).toMatchObject({ identities: [], credentials: [], failureBuckets: [] });
  });

  it('an allowed decision counts one success for its identity and one use for its credential', () => {
    const changes = evolve([decision({})]);
    expect(changes.identities).toEqual([expect.objectContaining({ username: 'alice', successCount: 1, failureCount: 0, strategies: ['static-token'], lastSourceIp: '10.0.0.7', kind: 'user' })]);
    expect(changes.credentials).toEqual([expect.objectContaining({ useCount: 1, failureCount: 0, sourceIps: ['10.0.0.7'], username: 'alice' })]);
    expect(changes.failureBuckets).toEqual([]);
  });

  it('a denied decision with only a claimed username adds a failure bucket but no identity', () => {
    const changes = evolve([decisionEvent({ id: id(), time: new Date('2026-11-29T10:15:30.123Z'), source, data: DENIED_DECISION })]);
    expect(changes.identities).toEqual([]);
    expect(changes.failureBuckets).toEqual([
      expect.objectContaining({ minute: '2026-11-29T10:15:00.000Z', sourceIp: '2001:db8::1', reason: 'invalid_password', username: 'bob', strategy: 'basic-auth', count: 1 }),
    ]);
    expect(changes.credentials[0]).toMatchObject({ failureCount: 1, useCount: 0, username: null });
  });

  it('events of one key aggregate into one change whose latest fields come from the newest event', () => {
    const older = decision({ user: { username: 'alice', uid: 'old', groups: ['a'], extra: {} } }, '2026-11-29T10:00:00.000Z');
    const newer = decision({ user: { username: 'alice', uid: 'new', groups: ['b'], extra: {} }, strategy: 'oidc', request: { endpoint: 'authenticate', sourceIp: '10.9.9.9' } }, '2026-11-29T11:00:00.000Z');
    for (const order of [[older, newer], [newer, older]]) {
      const [identity] = evolve(order).identities;
      expect(identity).toMatchObject({ uid: 'new', groups: ['b'], successCount: 2, firstSeen: '2026-11-29T10:00:00.000Z', lastSeen: '2026-11-29T11:00:00.000Z', strategies: ['oidc', 'static-token'], lastSourceIp: '10.9.9.9' });
    }
  });

  it('a source IP that is not an address is kept out of typed columns', () => {
    const event = decision({ request: { endpoint: 'authenticate', sourceIp: 'not-an-ip' } });
    expect(evolve([event]).identities[0].lastSourceIp).toBeNull();
  });

  it('producer sequences report min, max and how many were received', () => {
    const changes = evolve([decision({ sequence: 5 }), decision({ sequence: 2 }), decision({ sequence: 9, instance: 'pod-8' })]);
    expect(changes.producerSequences).toEqual([
      expect.objectContaining({ instance: 'pod-7', minSequence: 2, maxSequence: 5, received: 2 }),
      expect.objectContaining({ instance: 'pod-8', minSequence: 9, maxSequence: 9, received: 1 }),
    ]);
  });

  it('producer sequences are kept per (instance, boot); events without a boot share the boot ""', () => {
    const boot1 = '019acea0-0000-7000-8000-000000000001';
    const boot2 = '019acea0-0000-7000-8000-000000000002';
    const changes = evolve([
      decision({ boot: boot1, sequence: 1 }),
      decision({ boot: boot1, sequence: 3, dropped: 1 }),
      decision({ boot: boot2, sequence: 1 }),
      decision({ sequence: 7 }),
    ]);
    const byBoot = Object.fromEntries(changes.producerSequences.map((p) => [p.boot, p]));
    expect(byBoot[boot1]).toMatchObject({ instance: 'pod-7', minSequence: 1, maxSequence: 3, received: 2, dropped: 1, state: null, reportedLastSequence: null });
    expect(byBoot[boot2]).toMatchObject({ instance: 'pod-7', minSequence: 1, maxSequence: 1, received: 1, dropped: 0 });
    expect(byBoot['']).toMatchObject({ instance: 'pod-7', minSequence: 7, maxSequence: 7, received: 1 });
  });

  it('producer status events merge commutatively: max lastSequence and dropped, state of the newest by (time, id)', () => {
    const boot = '019acea0-0000-7000-8000-000000000003';
    const status = (data: Partial<ProducerStatusData>, time: string): AuthtrailEvent =>
      controlEvent({ id: id(), time: new Date(time), source, type: PRODUCER_STATUS_EVENT_TYPE, data: { instance: 'pod-7', boot, state: 'running', lastSequence: 0, dropped: 0, ...data } });
    const events = [
      status({ state: 'running', lastSequence: 4, dropped: 1 }, '2026-11-29T10:00:00.000Z'),
      status({ state: 'stopped', lastSequence: 9, dropped: 2 }, '2026-11-29T10:05:00.000Z'),
      status({ state: 'running', lastSequence: 6, dropped: 2 }, '2026-11-29T10:02:00.000Z'),
      decision({ boot, sequence: 2, dropped: 3 }, '2026-11-29T10:01:00.000Z'),
    ];
    for (const order of [events, [...events].reverse(), [events[2], events[0], events[3], events[1]]]) {
      expect(evolve(order).producerSequences).toEqual([
        {
          instance: 'pod-7', boot, minSequence: 2, maxSequence: 2, received: 1, reportedLastSequence: 9, dropped: 3,
          state: 'stopped', stateAt: '2026-11-29T10:05:00.000Z', stateEventId: events[1].id,
          firstSeen: '2026-11-29T10:00:00.000Z', lastSeen: '2026-11-29T10:05:00.000Z',
        },
      ]);
    }
  });

  it('a failure counts under its username hash; a typed name that matches no account is only a hash', () => {
    const hash = `hmac-sha256-username:k1:${'ef'.repeat(32)}`;
    const typed = decisionEvent({ id: id(), time: new Date('2026-11-29T10:15:30.123Z'), source, data: { ...DENIED_DECISION, claimedUsername: undefined, claimedUsernameHash: hash } });
    const known = decisionEvent({ id: id(), time: new Date('2026-11-29T10:15:31.123Z'), source, data: { ...DENIED_DECISION, claimedUsernameHash: hash } });
    const buckets = evolve([typed, known]).failureBuckets;
    expect(buckets).toEqual([
      expect.objectContaining({ username: null, usernameHash: hash, count: 1 }),
      expect.objectContaining({ username: 'bob', usernameHash: hash, count: 1 }),
    ]);
  });

  it('control events become policy versions, revocations and lifts', () => {
    const time = new Date('2026-11-29T12:00:00.000Z');
    const changes = evolve([
      controlEvent({ id: id(), time, source, type: 'authtrail.control.policy.applied.v1', data: { version: 4, document: 'strategies: {}' } }),
      controlEvent({ id: id(), time, source, type: 'authtrail.control.credential.revoked.v1', data: { revocationId: 'r1', jti: 'j-1' } }),
      controlEvent({ id: id(), time, source, type: 'authtrail.control.revocation.lifted.v1', data: { revocationId: 'r1', liftedBy: 'admin' } }),
    ]);
    expect(changes.policyClaims).toEqual([expect.objectContaining({ version: 4, document: 'strategies: {}', appliedAt: '2026-11-29T12:00:00.000Z' })]);
    expect(changes.revocationsRevoked).toEqual([expect.objectContaining({ revocationId: 'r1', jti: 'j-1', fingerprint: null })]);
    expect(changes.revocationsLifted).toEqual([expect.objectContaining({ revocationId: 'r1', liftedBy: 'admin' })]);
    expect(changes.revocationsLiftedAfterRevoked).toEqual([expect.objectContaining({ revocationId: 'r1', liftedBy: 'admin' })]);
  });

  it('policy claims keep the topic order, claims of one version included, and skip documents that do not compile', () => {
    const time = new Date('2026-11-29T12:00:00.000Z');
    const later = new Date('2026-11-29T12:00:05.000Z');
    const claim = (version: number, document: string, at: Date) => controlEvent({ id: id(), time: at, source, type: 'authtrail.control.policy.applied.v1', data: { version, document } });
    // The second claim of version 2 has the EARLIER time: topic order, not time, decides.
    const first = claim(2, 'strategies: { static-token: { mode: warn } }', later);
    const second = claim(2, 'strategies: { static-token: { mode: disabled } }', time);
    const broken = claim(3, 'strategies: { no-such-strategy: {} }', later);
    const changes = evolve([first, second, broken]);
    expect(changes.policyClaims.map((c) => [c.version, c.eventId])).toEqual([
      [2, first.id.toLowerCase()],
      [2, second.id.toLowerCase()],
    ]);
  });

  it('a revocation id is revoked by its first event; the first lift and the first lift after the revocation are told apart', () => {
    const time = new Date('2026-11-29T12:00:00.000Z');
    const lift = (revocationId: string, by: string) => controlEvent({ id: id(), time, source, type: 'authtrail.control.revocation.lifted.v1', data: { revocationId, liftedBy: by } });
    const revoke = (revocationId: string, jti: string) => controlEvent({ id: id(), time, source, type: 'authtrail.control.credential.revoked.v1', data: { revocationId, jti } });
    const changes = evolve([lift('r1', 'early'), revoke('r1', 'first'), revoke('r1', 'second'), lift('r1', 'a'), lift('r1', 'b')]);
    expect(changes.revocationsRevoked).toEqual([expect.objectContaining({ revocationId: 'r1', jti: 'first' })]);
    expect(changes.revocationsLifted).toEqual([expect.objectContaining({ revocationId: 'r1', liftedBy: 'early' })]);
    expect(changes.revocationsLiftedAfterRevoked).toEqual([expect.objectContaining({ revocationId: 'r1', liftedBy: 'a' })]);
  });

  it.each([
    ['system:serviceaccount:ns:sa', 'service_account'],
    ['system:bootstrap:abcdef', 'bootstrap'],
    ['system:anonymous', 'anonymous'],
    ['alice@example.com', 'user'],
  ])('username %s is of kind %s', (username, kind) => {
    expect(identityKind(username)).toBe(kind);
  });

  it('minuteOf truncates to the start of the minute in UTC', () => {
    expect(minuteOf('2026-11-29T10:15:59.999Z')).toBe('2026-11-29T10:15:00.000Z');
  });

  it('splitting events into batches in any order sums to the same counts as one batch (property)', () => {
    const pool = Array.from({ length: 30 }, (_, i) =>
      decision({ user: { username: `u${i % 4}`, groups: [], extra: {} }, decision: i % 3 === 0 ? 'deny' : 'allow', reason: i % 3 === 0 ? 'policy_denied' : 'ok' }, new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()),
    );
    const total = (events: AuthtrailEvent[]): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const c of evolve(events).identities) out[c.username] = (out[c.username] ?? 0) + c.successCount * 1000 + c.failureCount;
      return out;
    };
    const whole = total(pool);
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: pool.length, maxLength: pool.length }), fc.integer({ min: 1, max: 30 }), (shuffled, size) => {
        const sum: Record<string, number> = {};
        for (let i = 0; i < shuffled.length; i += size) {
          for (const [k, v] of Object.entries(total(shuffled.slice(i, i + size)))) sum[k] = (sum[k] ?? 0) + v;
        }
        expect(sum).toEqual(whole);
      }),
      { numRuns: 50 },
    );
  });
});

describe('startEvolution', () => {
  it('events added in parts give the changes of one evolve over them in that order (decision changes in any order)', () => {
    const events = generateEvents(1_500, { seed: 11 });
    const parts = [events.slice(900), events.slice(0, 7), events.slice(7, 900)];
    const whole = evolve(events);
    // Control changes are compare-and-set, judged in topic order: they follow the order of adding.
    const inOrderAdded = evolve(parts.flat());
    const evolution = startEvolution();
    for (const part of parts) evolution.add(part);
    const byKey = <T>(rows: readonly T[], key: (r: T) => string): T[] => [...rows].sort((a, b) => key(a).localeCompare(key(b)));
    const added = evolution.changes();
    expect(byKey(added.identities, (r) => r.username)).toEqual(byKey(whole.identities, (r) => r.username));
    expect(byKey(added.credentials, (r) => r.fingerprint).map((r) => ({ ...r, sourceIps: [...r.sourceIps].sort() }))).toEqual(
      byKey(whole.credentials, (r) => r.fingerprint).map((r) => ({ ...r, sourceIps: [...r.sourceIps].sort() })),
    );
    expect(byKey(added.failureBuckets, (r) => JSON.stringify(r))).toEqual(byKey(whole.failureBuckets, (r) => JSON.stringify(r)));
    expect(byKey(added.producerSequences, (r) => `${r.instance}/${r.boot}`)).toEqual(byKey(whole.producerSequences, (r) => `${r.instance}/${r.boot}`));
    expect(added.policyClaims).toEqual(inOrderAdded.policyClaims);
    expect(added.revocationsRevoked).toEqual(inOrderAdded.revocationsRevoked);
    expect(added.revocationsLifted).toEqual(inOrderAdded.revocationsLifted);
    expect(added.revocationsLiftedAfterRevoked).toEqual(inOrderAdded.revocationsLiftedAfterRevoked);
  });
});
