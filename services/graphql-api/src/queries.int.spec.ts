// Every query of the schema against a real Postgres seeded with the standard dataset
// (testdata/standard-dataset.ts: 25 decisions, 12 allow / 13 deny, one per minute from T0).
import { createTestDatabase } from '@authtrail/testing';
import { deriveReadModels, insertSeedDecisions } from './testdata/read-model.seed';
import { COUNTS, FP, NOW, T0, standardDecisions } from './testdata/standard-dataset';
import { startTestApi, type TestApi } from './testdata/test-api.fixture';

let api: TestApi;
let ids: readonly string[];
const queries: string[] = [];

beforeAll(async () => {
  const url = await createTestDatabase('graphql_queries');
  api = await startTestApi(url, { now: () => NOW, onQuery: (sql) => queries.push(sql) });
  ids = await insertSeedDecisions(api.db, standardDecisions());
  await deriveReadModels(api.db);
  await api.db.query(`INSERT INTO policy_version (version, document, applied_by, comment, applied_at, event_id) VALUES
    (1, 'strategies: {}', 'ada', 'first', $1, gen_random_uuid()), (2, 'strategies: { static-token: { mode: warn } }', 'ada', null, $2, gen_random_uuid())`,
    [new Date(T0.getTime() - 3_600_000), new Date(T0.getTime() - 60_000)]);
  await api.db.query(`INSERT INTO revocation (revocation_id, fingerprint, reason, revoked_by, revoked_at) VALUES ('r-1', $1, 'leaked', 'ada', $2)`, [FP.leaked, T0]);
  await api.db.query(`INSERT INTO revocation (revocation_id, jti, reason, revoked_by, revoked_at, lifted_at, lifted_by) VALUES ('r-2', 'jti-9', 'test', 'ada', $1, $2, 'ada')`, [
    new Date(T0.getTime() + 60_000),
    new Date(T0.getTime() + 120_000),
  ]);
  await api.db.query(`UPDATE credential SET revoked = true WHERE fingerprint = $1`, [FP.leaked]);
  await api.db.query(`UPDATE credential SET expires_at = $2 WHERE fingerprint = $1`, [FP.ci, new Date(NOW.getTime() + 3_600_000)]);
  await api.db.query(`INSERT INTO projector_status (group_id, topic, partition, next_offset, high_watermark, lag, last_event_time, events_projected, dead_lettered, updated_at)
    VALUES ('authtrail-projector', 'authtrail.decisions.v1', 0, 20, 23, 3, $1, 25, 2, $1), ('authtrail-projector', 'authtrail.decisions.v1', 1, 5, 5, 0, $1, 5, 0, $1)`, [NOW]);
  await api.db.query(`INSERT INTO producer_sequence (instance, min_sequence, max_sequence, received, first_seen, last_seen) VALUES
    ('authn-a', 1, 30, 25, $1, $2), ('authn-b', 1, 10, 10, $1, $2)`, [T0, NOW]);
});

afterAll(async () => {
  await api?.close();
});

type Conn<N> = { totalCount: number; edges: { cursor: string; node: N }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function ok<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await api.gql<T>(query, variables, token);
  if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
  expect(response.status).toBe(200);
  return response.body.data as T;
}

describe('decisions and authFailures', () => {
  it.each([
    ['no filter returns every decision', 'decisions', {}, COUNTS.total],
    ['authFailures returns only DENY decisions', 'authFailures', {}, COUNTS.deny],
    ['decision ALLOW narrows to successes', 'decisions', { decision: 'ALLOW' }, COUNTS.allow],
    ['exact username matches authenticated and claimed names', 'decisions', { username: 'alice' }, COUNTS.alice],
    ['username prefix matches service accounts', 'decisions', { usernamePrefix: 'system:serviceaccount:' }, 4],
    ['username prefix treats % literally', 'decisions', { usernamePrefix: 'a%' }, 0],
    ['strategy list is an OR', 'decisions', { strategies: ['static-token'] }, COUNTS.staticToken],
    ['reasons filter on failures', 'authFailures', { reasons: ['invalid_password', 'no_credentials'] }, 3],
    ['exact IPv4 source address', 'authFailures', { sourceIp: '192.168.1.50' }, COUNTS.leaked],
    ['IPv4 CIDR via inet <<=', 'authFailures', { sourceIp: '192.168.1.0/24' }, COUNTS.from192_168_1],
    ['CIDR with host bits set is normalised', 'authFailures', { sourceIp: '192.168.1.77/24' }, COUNTS.from192_168_1],
    ['IPv6 CIDR', 'authFailures', { sourceIp: '2001:db8::/32' }, 1],
    ['credential fingerprint', 'decisions', { credentialFingerprint: FP.ci }, 4],
    ['credential type', 'decisions', { credentialTypes: ['bootstrap-token', 'service-account'] }, 5],
    ['time range is [from, to)', 'decisions', { time: { from: new Date(T0.getTime() + 5 * 60_000).toISOString(), to: new Date(T0.getTime() + 10 * 60_000).toISOString() } }, 5],
    ['filters combine with AND', 'authFailures', { strategies: ['static-token'], sourceIp: '192.168.1.51' }, 3],
    ['endpoint', 'decisions', { endpoint: 'tokenreview' }, 0],
  ])('%s', async (_name, field, filter, expected) => {
    const data = await ok<Record<string, Conn<{ id: string }>>>(`query($f: DecisionFilter) { ${field}(filter: $f, first: 100) { totalCount edges { node { id } } } }`, { f: filter });
    expect(data[field]!.totalCount).toBe(expected);
    expect(data[field]!.edges).toHaveLength(expected);
  });

  it('pages through every decision newest first with keyset cursors, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const data: { decisions: Conn<{ id: string; time: string }> } = await ok(
        `query($after: String) { decisions(first: 10, after: $after) { totalCount edges { cursor node { id time } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...data.decisions.edges.map((e) => e.node.id));
      expect(data.decisions.totalCount).toBe(COUNTS.total);
      if (!data.decisions.pageInfo.hasNextPage) break;
      after = data.decisions.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('returns the full decision with attempts, groups and relations', async () => {
    const data = await ok<{ decision: Record<string, unknown> }>(
      `query($id: ID!) { decision(id: $id) { id time decision httpStatus reason strategy username usernameClaimed groups sourceIp endpoint
        credentialFingerprint credentialType attempts { strategy outcome reason } instance
        identity { username kind } credential { fingerprint useCount } } }`,
      { id: ids[10] },
    );
    expect(data.decision).toEqual({
      id: ids[10],
      time: new Date(T0.getTime() + 10 * 60_000).toISOString(),
      decision: 'ALLOW',
      httpStatus: 200,
      reason: 'ok',
      strategy: 'service-account',
      username: 'system:serviceaccount:kube-system:ci',
      usernameClaimed: false,
      groups: ['system:serviceaccounts'],
      sourceIp: '10.244.1.2',
      endpoint: 'authenticate',
      credentialFingerprint: FP.ci,
      credentialType: 'service-account',
      attempts: [{ strategy: 'service-account', outcome: 'authenticated', reason: null }],
      instance: 'seed-1',
      identity: { username: 'system:serviceaccount:kube-system:ci', kind: 'SERVICE_ACCOUNT' },
      credential: { fingerprint: FP.ci, useCount: 4 },
    });
  });

  it.each([
    ['an unknown uuid', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'],
    ['a non-uuid id', 'not-an-id'],
  ])('decision(id) is null for %s', async (_name, id) => {
    const data = await ok<{ decision: unknown }>(`query($id: ID!) { decision(id: $id) { id } }`, { id });
    expect(data.decision).toBeNull();
  });
});

describe('failureStats', () => {
  it.each([
    ['SOURCE_IP', [['192.168.1.50', 6], ['192.168.1.51', 3], ['10.0.0.9', 2], ['10.0.0.1', 1], ['2001:db8::1', 1]]],
    ['REASON', [['unknown_token', 9], ['invalid_password', 2], ['bootstrap_token_expired', 1], ['no_credentials', 1]]],
    ['STRATEGY', [['static-token', 9], ['basic-auth', 2], ['bootstrap-token', 1], [null, 1]]],
    ['USERNAME', [[null, 10], ['alice', 2], ['system:bootstrap:abcdef', 1]]],
    ['CREDENTIAL', [[FP.leaked, 6], [FP.guess, 3], [FP.alice, 2], [FP.bootstrap, 1], [null, 1]]],
  ])('groups failures by %s, largest first', async (groupBy, expected) => {
    const data = await ok<{ failureStats: { key: string | null; count: number }[] }>(
      `query($since: DateTime!) { failureStats(since: $since, groupBy: ${groupBy}) { key count } }`,
      { since: T0.toISOString() },
    );
    expect(data.failureStats.map((g) => [g.key, g.count])).toEqual(expected);
  });

  it('counts only the window and reports first and last seen', async () => {
    const data = await ok<{ failureStats: { key: string; count: number; firstSeen: string; lastSeen: string }[] }>(
      `query($since: DateTime!, $until: DateTime) { failureStats(since: $since, until: $until, groupBy: SOURCE_IP, limit: 1) { key count firstSeen lastSeen } }`,
      { since: new Date(T0.getTime() + 15 * 60_000).toISOString(), until: new Date(T0.getTime() + 18 * 60_000).toISOString() },
    );
    expect(data.failureStats).toEqual([
      { key: '192.168.1.50', count: 3, firstSeen: new Date(T0.getTime() + 15 * 60_000).toISOString(), lastSeen: new Date(T0.getTime() + 17 * 60_000).toISOString() },
    ]);
  });

  it('returns a bucketed time series per group whose points sum to the group count', async () => {
    const data = await ok<{ failureStats: { key: string; count: number; series: { start: string; count: number }[] }[] }>(
      `query($since: DateTime!) { failureStats(since: $since, groupBy: SOURCE_IP, limit: 2, bucket: FIVE_MINUTES) { key count series { start count } } }`,
      { since: T0.toISOString() },
    );
    const [leaked, guess] = data.failureStats;
    // Failures of 192.168.1.50 are at minutes 14..19: bucket 10:10 holds 14, bucket 10:15 holds 15..19.
    expect(leaked!.series).toEqual([
      { start: new Date(T0.getTime() + 10 * 60_000).toISOString(), count: 1 },
      { start: new Date(T0.getTime() + 15 * 60_000).toISOString(), count: 5 },
    ]);
    expect(guess!.series).toEqual([{ start: new Date(T0.getTime() + 20 * 60_000).toISOString(), count: 3 }]);
  });
});

describe('identities', () => {
  it.each([
    ['every identity, including names only claimed', {}, ['system:bootstrap:abcdef', 'system:serviceaccount:kube-system:ci', 'bob', 'alice']],
    ['kind SERVICE_ACCOUNT', { kinds: ['SERVICE_ACCOUNT'] }, ['system:serviceaccount:kube-system:ci']],
    ['kind BOOTSTRAP or USER', { kinds: ['BOOTSTRAP', 'USER'] }, ['system:bootstrap:abcdef', 'bob', 'alice']],
    ['username prefix', { usernamePrefix: 'system:' }, ['system:bootstrap:abcdef', 'system:serviceaccount:kube-system:ci']],
    ['group membership', { group: 'ops' }, ['bob']],
    ['strategy used', { strategies: ['basic-auth'] }, ['alice']],
    ['with failures', { hasFailures: true }, ['system:bootstrap:abcdef', 'alice']],
  ])('%s', async (_name, filter, expected) => {
    const data = await ok<{ identities: Conn<{ username: string }> }>(`query($f: IdentityFilter) { identities(filter: $f) { totalCount edges { node { username } } } }`, { f: filter });
    expect(data.identities.edges.map((e) => e.node.username)).toEqual(expected);
    expect(data.identities.totalCount).toBe(expected.length);
  });

  it('identity(username) has the aggregated counts', async () => {
    const data = await ok<{ identity: Record<string, unknown> }>(
      `{ identity(username: "alice") { username uid kind groups strategies successCount failureCount firstSeen lastSeen lastSourceIp credentials { fingerprint distinctSourceIps } } }`,
    );
    expect(data.identity).toEqual({
      username: 'alice',
      uid: 'uid-alice',
      kind: 'USER',
      groups: ['dev'],
      strategies: ['basic-auth'],
      successCount: 5,
      failureCount: 2,
      firstSeen: T0.toISOString(),
      lastSeen: new Date(T0.getTime() + 6 * 60_000).toISOString(),
      lastSourceIp: '10.0.0.9',
      credentials: [{ fingerprint: FP.alice, distinctSourceIps: 2 }],
    });
  });

  it('a page of identities with their credentials costs a bounded number of SQL statements', async () => {
    queries.length = 0;
    const data = await ok<{ identities: Conn<{ credentials: unknown[] }> }>(
      `{ identities(first: 50) { edges { node { username credentials { fingerprint identity { username } } } } } }`,
    );
    expect(data.identities.edges).toHaveLength(4);
    // One for the page, one for every identity's credentials, one for the identities of those
    // credentials (the DataLoader batches each level), whatever the page size.
    expect(queries).toHaveLength(3);
  });
});

describe('credentials (token usage)', () => {
  it.each([
    ['every credential', {}, 6],
    ['stale: not used since 10:10', { notUsedSince: new Date(T0.getTime() + 10 * 60_000).toISOString() }, 2],
    ['expiring within 2 hours', { expiringWithinSeconds: 7200 }, 1],
    ['used from more than one source IP', { minDistinctSourceIpsExclusive: 1 }, 2],
    ['revoked', { revoked: true }, 1],
    ['not revoked', { revoked: false }, 5],
    ['type', { types: ['static-token'] }, 3],
    ['username', { username: 'bob' }, 1],
  ])('%s', async (_name, filter, expected) => {
    const data = await ok<{ credentials: Conn<{ fingerprint: string }> }>(`query($f: CredentialFilter) { credentials(filter: $f) { totalCount edges { node { fingerprint } } } }`, { f: filter });
    expect(data.credentials.totalCount).toBe(expected);
    expect(data.credentials.edges).toHaveLength(expected);
  });

  it('credential(fingerprint) shows usage and the identity', async () => {
    const data = await ok<{ credential: Record<string, unknown> }>(
      `query($fp: String!) { credential(fingerprint: $fp) { fingerprint type strategy username useCount failureCount distinctSourceIps revoked firstUsed lastUsed identity { username } } }`,
      { fp: FP.ci },
    );
    expect(data.credential).toEqual({
      fingerprint: FP.ci,
      type: 'service-account',
      strategy: 'service-account',
      username: 'system:serviceaccount:kube-system:ci',
      useCount: 4,
      failureCount: 0,
      distinctSourceIps: 2,
      revoked: false,
      firstUsed: new Date(T0.getTime() + 10 * 60_000).toISOString(),
      lastUsed: new Date(T0.getTime() + 13 * 60_000).toISOString(),
      identity: { username: 'system:serviceaccount:kube-system:ci' },
    });
  });

  it('pages credentials two at a time', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const data: { credentials: Conn<{ fingerprint: string }> } = await ok(
        `query($after: String) { credentials(first: 2, after: $after) { edges { node { fingerprint } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...data.credentials.edges.map((e) => e.node.fingerprint));
      if (!data.credentials.pageInfo.hasNextPage) break;
      after = data.credentials.pageInfo.endCursor;
    }
    expect(seen).toEqual([FP.bootstrap, FP.guess, FP.leaked, FP.ci, FP.bob, FP.alice]);
  });
});

describe('policy, revocations, audit health', () => {
  it('policy is the newest version and policyHistory lists all, newest first', async () => {
    const data = await ok<{ policy: { version: number; appliedBy: string }; policyHistory: Conn<{ version: number }> }>(
      `{ policy { version appliedBy } policyHistory(first: 1) { totalCount edges { node { version } } pageInfo { hasNextPage } } }`,
    );
    expect(data.policy).toEqual({ version: 2, appliedBy: 'ada' });
    expect(data.policyHistory.totalCount).toBe(2);
    expect(data.policyHistory.edges.map((e) => e.node.version)).toEqual([2]);
    expect(data.policyHistory.pageInfo.hasNextPage).toBe(true);
  });

  it.each([
    ['all revocations, newest first', {}, ['r-2', 'r-1']],
    ['active only', { active: true }, ['r-1']],
    ['lifted or expired only', { active: false }, ['r-2']],
    ['by fingerprint', { fingerprint: FP.leaked }, ['r-1']],
  ])('revocations: %s', async (_name, filter, expected) => {
    const data = await ok<{ revocations: Conn<{ id: string; active: boolean }> }>(`query($f: RevocationFilter) { revocations(filter: $f) { totalCount edges { node { id active } } } }`, { f: filter });
    expect(data.revocations.edges.map((e) => e.node.id)).toEqual(expected);
  });

  it('auditHealth sums lag, sequence gaps and dead letters', async () => {
    const data = await ok<{ auditHealth: Record<string, unknown> }>(
      `{ auditHealth { projectorLag lastEventTime sequenceGaps deadLettered droppedEvents partitions { partition lag } producers { instance missing } } }`,
    );
    expect(data.auditHealth).toEqual({
      projectorLag: 3,
      lastEventTime: NOW.toISOString(),
      sequenceGaps: 5,
      deadLettered: 2,
      droppedEvents: 7,
      partitions: [{ partition: 0, lag: 3 }, { partition: 1, lag: 0 }],
      producers: [{ instance: 'authn-a', missing: 5 }, { instance: 'authn-b', missing: 0 }],
    });
  });
});
