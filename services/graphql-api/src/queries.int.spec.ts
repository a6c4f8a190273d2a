// Every query of the schema against a read model filled by the production path: the standard
// traffic (testdata/standard-dataset.ts: 27 requests, one per minute from T0, 12 allowed and 15
// refused) sent through the real authn and projected by the real projector. Expected values are
// read off the requests in that file.
import { createTestDatabase } from '@authtrail/testing';
import {
  COUNTS,
  CURL,
  GATEWAY,
  HOSTILE_USER_AGENT,
  NGINX,
  NOW,
  SA,
  SA_EXPIRES,
  STATIC_TOKEN_WARNING,
  T0,
  loadStandardDataset,
  minute,
  type StandardDataset,
} from './testdata/standard-dataset';
import { startTestApi, type TestApi } from './testdata/test-api.fixture';

let api: TestApi;
let data: StandardDataset;
let ids: readonly string[];
let FP: StandardDataset['FP'];
const queries: string[] = [];
const hash = (name: string) => data.environment.fingerprinter.usernameHash(name);

beforeAll(async () => {
  const url = await createTestDatabase('graphql_queries');
  data = await loadStandardDataset(url);
  ({ ids, FP } = data);
  const { fingerprinter } = data.environment;
  api = await startTestApi(url, {
    now: () => NOW,
    onQuery: (sql) => queries.push(sql),
    fingerprint: (secret) => fingerprinter.fingerprint(secret),
    usernameHashes: (name) => fingerprinter.usernameHashCandidates(name),
  });
}, 120_000);

afterAll(async () => {
  await api?.close();
  data?.close();
});

type Conn<N> = { totalCount: number; edges: { cursor: string; node: N }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function ok<T>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await api.gql<T>(query, variables, token);
  if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
  expect(response.status).toBe(200);
  return response.body.data as T;
}

it('the plan was answered as intended: 12 successes, then the refusals', () => {
  expect(data.statuses.filter((s) => s === 200)).toHaveLength(COUNTS.allow);
  expect(data.statuses.filter((s) => s === 401)).toHaveLength(COUNTS.deny);
  expect(new Set(ids).size).toBe(COUNTS.total);
});

describe('decisions and authFailures', () => {
  it.each([
    ['no filter returns every decision', 'decisions', {}, COUNTS.total],
    ['authFailures returns only DENY decisions', 'authFailures', {}, COUNTS.deny],
    ['decision ALLOW narrows to successes', 'decisions', { decision: 'ALLOW' }, COUNTS.allow],
    ['exact username matches authenticated and claimed names', 'decisions', { username: 'alice' }, COUNTS.alice],
    ['username prefix matches service accounts', 'decisions', { usernamePrefix: 'system:serviceaccount:' }, 4],
    ['username prefix treats % literally', 'decisions', { usernamePrefix: 'a%' }, 0],
    ['strategy list is an OR', 'decisions', { strategies: ['static-token'] }, COUNTS.staticToken],
    ['reasons filter on failures', 'authFailures', { reasons: ['invalid_password', 'no_credentials'] }, 2 + COUNTS.typed + 1],
    ['exact IPv4 source address', 'authFailures', { sourceIp: '192.168.1.50' }, COUNTS.leaked],
    ['IPv4 CIDR via inet <<=', 'authFailures', { sourceIp: '192.168.1.0/24' }, COUNTS.from192_168_1],
    ['CIDR with host bits set is normalised', 'authFailures', { sourceIp: '192.168.1.77/24' }, COUNTS.from192_168_1],
    ['IPv6 CIDR', 'authFailures', { sourceIp: '2001:db8::/32' }, 1],
    ['the client address behind a trusted proxy (X-Forwarded-For)', 'decisions', { sourceIp: NGINX.clientIp }, 3],
    ['credential fingerprint', 'decisions', { credentialFingerprint: 'FP.ci' }, 4],
    ['credential type', 'decisions', { credentialTypes: ['bootstrap-token', 'service-account'] }, 5],
    ['time range is [from, to)', 'decisions', { time: { from: minute(5).toISOString(), to: minute(10).toISOString() } }, 5],
    ['filters combine with AND', 'authFailures', { strategies: ['static-token'], sourceIp: '192.168.1.51' }, 3],
    ['endpoint forward-auth', 'decisions', { endpoint: 'forward-auth' }, COUNTS.forwardAuth],
    ['endpoint tokenreview', 'decisions', { endpoint: 'tokenreview' }, 0],
  ])('%s', async (_name, field, filter, expected) => {
    // The fingerprint is only known once the dataset made its random token.
    const f = 'credentialFingerprint' in filter ? { credentialFingerprint: FP.ci } : filter;
    const answer = await ok<Record<string, Conn<{ id: string }>>>(`query($f: DecisionFilter) { ${field}(filter: $f, first: 100) { totalCount edges { node { id } } } }`, { f });
    expect(answer[field]!.totalCount).toBe(expected);
    expect(answer[field]!.edges).toHaveLength(expected);
  });

  it('pages through every decision newest first with keyset cursors, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const answer: { decisions: Conn<{ id: string; time: string }> } = await ok(
        `query($after: String) { decisions(first: 10, after: $after) { totalCount edges { cursor node { id time } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...answer.decisions.edges.map((e) => e.node.id));
      expect(answer.decisions.totalCount).toBe(COUNTS.total);
      if (!answer.decisions.pageInfo.hasNextPage) break;
      after = answer.decisions.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it.each([
    ['an unknown uuid', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'],
    ['a non-uuid id', 'not-an-id'],
  ])('decision(id) is null for %s', async (_name, id) => {
    const answer = await ok<{ decision: unknown }>(`query($id: ID!) { decision(id: $id) { id } }`, { id });
    expect(answer.decision).toBeNull();
  });
});

describe('every Decision field is what the request implies', () => {
  const FIELDS = `id time decision httpStatus reason message strategy username usernameClaimed claimedUsernameHash uid groups sourceIp
    forwardedFor userAgent endpoint method path tls credentialFingerprint credentialType credentialPublicId
    attempts { strategy outcome reason } policyVersion policyEffects { rule effect message } latencyMicros instance boot sequence
    normalizedFields { field action } identity { username kind } credential { fingerprint useCount }`;
  const abstained = (strategy: string) => ({ strategy, outcome: 'abstained', reason: null });
  type Shown = Record<string, unknown> & { latencyMicros: number | null; boot: string | null };

  async function decisionAt(index: number): Promise<Shown> {
    const answer = await ok<{ decision: Shown }>(`query($id: ID!) { decision(id: $id) { ${FIELDS} } }`, { id: ids[index] });
    return answer.decision;
  }

  /** What no request decides: the measured latency and the process start. */
  function withoutMeasured(shown: Shown): Record<string, unknown> {
    expect(Number.isInteger(shown.latencyMicros) && shown.latencyMicros! >= 0).toBe(true);
    expect(shown.boot).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const { latencyMicros: _l, boot: _b, ...rest } = shown;
    return rest;
  }

  it('alice through the gateway (/v1/authenticate from a trusted proxy): the body names the client, method, path, agent and TLS', async () => {
    expect(withoutMeasured(await decisionAt(0))).toEqual({
      id: ids[0],
      time: T0.toISOString(),
      decision: 'ALLOW',
      httpStatus: 200,
      reason: 'ok',
      message: null,
      strategy: 'basic-auth',
      username: 'alice',
      usernameClaimed: false,
      claimedUsernameHash: null,
      uid: 'uid-alice',
      groups: ['dev', 'system:authenticated'],
      sourceIp: '10.0.0.1',
      forwardedFor: [],
      userAgent: GATEWAY.userAgent,
      endpoint: 'authenticate',
      method: GATEWAY.method,
      path: GATEWAY.path,
      tls: GATEWAY.tls,
      credentialFingerprint: FP.alice,
      credentialType: 'basic-auth',
      credentialPublicId: 'alice',
      // The configured order; the first strategy that authenticates ends the chain.
      attempts: [abstained('static-token'), abstained('bootstrap-token'), { strategy: 'basic-auth', outcome: 'authenticated', reason: 'ok' }],
      policyVersion: 1,
      policyEffects: [],
      instance: 'authn-test',
      sequence: '1',
      normalizedFields: [],
      identity: { username: 'alice', kind: 'USER' },
      credential: { fingerprint: FP.alice, useCount: 5 },
    });
  });

  it.each([
    ['bob through nginx forward-auth: X-Forwarded-* from the trusted proxy, the query string stripped, the warn-mode policy effect', 7, () => ({
      time: minute(7).toISOString(),
      decision: 'ALLOW',
      strategy: 'static-token',
      username: 'bob',
      uid: 'uid-bob',
      groups: ['ops', 'system:authenticated'],
      sourceIp: NGINX.clientIp,
      forwardedFor: [NGINX.clientIp],
      userAgent: NGINX.userAgent,
      endpoint: 'forward-auth',
      method: NGINX.method,
      path: NGINX.uri,
      tls: true,
      credentialFingerprint: FP.bob,
      credentialPublicId: 'uid-bob',
      attempts: [{ strategy: 'static-token', outcome: 'authenticated', reason: 'ok' }],
      policyVersion: 1,
      policyEffects: [STATIC_TOKEN_WARNING],
      sequence: '8',
    })],
    ['the service account: its JWT id is the public id', 10, () => ({
      decision: 'ALLOW',
      strategy: 'service-account',
      username: SA,
      groups: expect.arrayContaining(['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated']),
      sourceIp: '10.244.1.2',
      credentialFingerprint: FP.ci,
      credentialType: 'service-account',
      credentialPublicId: 'jti-ci-1',
      identity: { username: SA, kind: 'SERVICE_ACCOUNT' },
      credential: { fingerprint: FP.ci, useCount: 4 },
    })],
    ['the expired bootstrap token: the name from its Secret is kept, with its hash', 23, () => ({
      decision: 'DENY',
      reason: 'bootstrap_token_expired',
      strategy: 'bootstrap-token',
      username: 'system:bootstrap:abcdef',
      usernameClaimed: true,
      claimedUsernameHash: hash('system:bootstrap:abcdef'),
      credentialFingerprint: FP.bootstrap,
      credentialPublicId: 'abcdef',
      identity: null,
    })],
    ['a name typed for no account is not shown, only its keyed hash', 25, () => ({
      decision: 'DENY',
      reason: 'invalid_password',
      message: 'invalid user name or password',
      strategy: 'basic-auth',
      username: null,
      usernameClaimed: false,
      claimedUsernameHash: hash(data.secrets.typedName),
      credentialFingerprint: null,
      credentialType: 'basic-auth',
      sourceIp: '203.0.113.7',
    })],
    // One U+FFFD per offending code unit (the NUL and the bidi override), the rest kept.
    ['a hostile user agent is stored made safe, and the decision says what was changed', 26, () => ({ userAgent: HOSTILE_USER_AGENT.split('\u0000').join('\uFFFD').split('\u202E').join('\uFFFD'), normalizedFields: [{ field: 'request.userAgent', action: 'REPLACED' }] })],
    ['alice with the right password over plain HTTP: authenticated, then refused by the policy', 27, () => ({
      decision: 'DENY',
      httpStatus: 401,
      reason: 'policy_denied',
      strategy: 'basic-auth',
      username: 'alice',
      usernameClaimed: false,
      tls: false,
      credentialFingerprint: FP.alice,
      policyVersion: 1,
      policyEffects: [{ rule: 'strategies.basic-auth.requireTls', effect: 'deny', message: 'basic-auth credentials must be sent over TLS' }],
    })],
  ])('%s', async (_name, index, expected) => {
    expect(withoutMeasured(await decisionAt(index))).toMatchObject(expected());
  });

  it('a leaked token sent straight to forward-auth: the peer address, no proxy facts, every strategy tried', async () => {
    expect(withoutMeasured(await decisionAt(14))).toEqual({
      id: ids[14],
      time: minute(14).toISOString(),
      decision: 'DENY',
      httpStatus: 401,
      reason: 'unknown_token',
      message: 'token not recognised',
      strategy: 'static-token',
      username: null,
      usernameClaimed: false,
      claimedUsernameHash: null,
      uid: null,
      groups: [],
      sourceIp: '192.168.1.50',
      forwardedFor: [],
      userAgent: CURL,
      endpoint: 'forward-auth',
      method: 'GET',
      path: '/v1/forward-auth',
      tls: false,
      credentialFingerprint: FP.leaked,
      credentialType: 'static-token',
      credentialPublicId: null,
      attempts: [{ strategy: 'static-token', outcome: 'rejected', reason: 'unknown_token' }, abstained('bootstrap-token'), abstained('basic-auth'), abstained('service-account')],
      policyVersion: 1,
      policyEffects: [],
      instance: 'authn-test',
      sequence: '15',
      normalizedFields: [],
      identity: null,
      credential: { fingerprint: FP.leaked, useCount: 0 },
    });
  });




});

describe('claimed usernames are found by their hash, never stored', () => {
  const query = `query($name: String) { authFailures(filter: { claimedUsername: $name }, first: 50) { totalCount edges { node { id reason sourceIp username } } } }`;

  it.each([
    ['password guesses against a known account (alice)', () => 'alice', [5, 6]],
    ['password guesses for a name that is no account', () => data.secrets.typedName, [25, 26]],
    ['the expired bootstrap token', () => 'system:bootstrap:abcdef', [23]],
    ['a name nobody tried', () => 'nobody-tried-this', []],
  ])('an admin finds %s', async (_name, name, indexes) => {
    const answer = await ok<{ authFailures: Conn<{ id: string }> }>(query, { name: name() }, api.tokens.admin);
    expect(answer.authFailures.edges.map((e) => e.node.id).sort()).toEqual(indexes.map((i) => ids[i]).sort());
    expect(answer.authFailures.totalCount).toBe(indexes.length);
  });

  it('the typed name is in no row of any table (a scan of every table as text), while its hash is', async () => {
    const tables = await api.db.query<{ name: string }[]>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['decision', 'failure_bucket', 'identity', 'credential']));
    const hits = async (needle: string) => {
      const found: string[] = [];
      for (const { name } of tables) {
        const rows = await api.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${name}" t WHERE t::text LIKE '%' || $1 || '%'`, [needle]);
        if (rows[0]!.n > 0) found.push(name);
      }
      return found;
    };
    // The scan itself works: the hash of the name is found where the read model keeps it.
    expect(await hits(hash(data.secrets.typedName).split(':')[2]!)).toEqual(expect.arrayContaining(['decision', 'failure_bucket']));
    expect(await hits(data.secrets.typedName)).toEqual([]);
  });

  it('a viewer may not ask (FORBIDDEN): it would be a dictionary oracle for typed secrets', async () => {
    const response = await api.gql(query, { name: 'alice' }, api.tokens.viewer);
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(response.body.data ?? null).toBeNull();
  });
});

describe('failureStats', () => {
  it.each([
    ['SOURCE_IP', () => [['192.168.1.50', 6], ['192.168.1.51', 3], ['10.0.0.1', 2], ['10.0.0.9', 2], ['203.0.113.7', 2], ['2001:db8::1', 1]]],
    ['REASON', () => [['unknown_token', 9], ['invalid_password', 4], ['bootstrap_token_expired', 1], ['no_credentials', 1], ['policy_denied', 1]]],
    ['STRATEGY', () => [['static-token', 9], ['basic-auth', 5], ['bootstrap-token', 1], [null, 1]]],
    // Refused passwords carry no fingerprint (the password is wrong: nothing to count usage of);
    // alice's right password over plain HTTP does. Equal counts are ordered by key.
    ['CREDENTIAL', () => [[FP.leaked, 6], [null, 2 + 1 + COUNTS.typed], [FP.guess, 3], ...[FP.alice, FP.bootstrap].sort().map((fp) => [fp, 1])]],
  ])('groups failures by %s, largest first', async (groupBy, expected) => {
    const answer = await ok<{ failureStats: { key: string | null; count: number }[] }>(
      `query($since: DateTime!) { failureStats(since: $since, groupBy: ${groupBy}) { key count } }`,
      { since: T0.toISOString() },
    );
    expect(answer.failureStats.map((g) => [g.key, g.count])).toEqual(expected());
  });

  const byUsername = `query($since: DateTime!, $names: [String!]) { failureStats(since: $since, groupBy: USERNAME, usernames: $names) { key usernameHash count } }`;

  it('USERNAME groups a clear name by the name; a name that is no account is its own group, shown only as a hash', async () => {
    const answer = await ok<{ failureStats: unknown[] }>(byUsername, { since: T0.toISOString() }, api.tokens.admin);
    expect(answer.failureStats).toEqual([
      { key: null, usernameHash: null, count: 9 + 1 },
      // Two wrong passwords and the policy refusal of alice (authenticated, so no claimed hash): one group.
      { key: 'alice', usernameHash: null, count: 3 },
      { key: null, usernameHash: hash(data.secrets.typedName), count: COUNTS.typed },
      { key: 'system:bootstrap:abcdef', usernameHash: null, count: 1 },
    ]);
  });

  it('USERNAME with `usernames`: the group of a given name shows that name; names that match nothing change nothing', async () => {
    const answer = await ok<{ failureStats: unknown[] }>(byUsername, { since: T0.toISOString(), names: ['nobody-tried-this', data.secrets.typedName] }, api.tokens.admin);
    expect(answer.failureStats).toContainEqual({ key: data.secrets.typedName, usernameHash: hash(data.secrets.typedName), count: COUNTS.typed });
    expect(answer.failureStats).toContainEqual({ key: null, usernameHash: null, count: 10 });
    expect(answer.failureStats).toHaveLength(4);
  });

  it.each([
    ['a viewer', () => api.tokens.viewer, 'USERNAME', 'FORBIDDEN'],
    ['another grouping', () => api.tokens.admin, 'REASON', 'BAD_USER_INPUT'],
  ])('`usernames` from %s is refused', async (_name, token, groupBy, code) => {
    const response = await api.gql(`{ failureStats(since: "${T0.toISOString()}", groupBy: ${groupBy}, usernames: ["alice"]) { key } }`, {}, token());
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  });

  it('counts only the window and reports first and last seen', async () => {
    const answer = await ok<{ failureStats: { key: string; count: number; firstSeen: string; lastSeen: string }[] }>(
      `query($since: DateTime!, $until: DateTime) { failureStats(since: $since, until: $until, groupBy: SOURCE_IP, limit: 1) { key count firstSeen lastSeen } }`,
      { since: minute(15).toISOString(), until: minute(18).toISOString() },
    );
    expect(answer.failureStats).toEqual([{ key: '192.168.1.50', count: 3, firstSeen: minute(15).toISOString(), lastSeen: minute(17).toISOString() }]);
  });

  it('returns a bucketed time series per group whose points sum to the group count', async () => {
    const answer = await ok<{ failureStats: { key: string; count: number; series: { start: string; count: number }[] }[] }>(
      `query($since: DateTime!) { failureStats(since: $since, groupBy: SOURCE_IP, limit: 2, bucket: FIVE_MINUTES) { key count series { start count } } }`,
      { since: T0.toISOString() },
    );
    const [leaked, guess] = answer.failureStats;
    // Failures of 192.168.1.50 are at minutes 14..19: bucket 10:10 holds 14, bucket 10:15 holds 15..19.
    expect(leaked!.series).toEqual([
      { start: minute(10).toISOString(), count: 1 },
      { start: minute(15).toISOString(), count: 5 },
    ]);
    expect(guess!.series).toEqual([{ start: minute(20).toISOString(), count: 3 }]);
  });

  it('a USERNAME series keeps the groups that share a null key apart (by hash)', async () => {
    const answer = await ok<{ failureStats: { key: string | null; usernameHash: string | null; series: { start: string; count: number }[] }[] }>(
      `query($since: DateTime!) { failureStats(since: $since, groupBy: USERNAME, bucket: HOUR) { key usernameHash series { start count } } }`,
      { since: T0.toISOString() },
      api.tokens.admin,
    );
    const typed = answer.failureStats.find((g) => g.usernameHash === hash(data.secrets.typedName));
    expect(typed?.series).toEqual([{ start: T0.toISOString(), count: COUNTS.typed }]);
    expect(answer.failureStats.find((g) => g.key === null && g.usernameHash === null)?.series).toEqual([{ start: T0.toISOString(), count: 10 }]);
  });
});

describe('identities', () => {
  it.each([
    // Identities come from authenticated users only (docs/read-models.md): a claimed name or a
    // password spray creates none. Most recently seen first: alice's policy refusal is last.
    ['every identity', {}, ['alice', SA, 'bob']],
    ['kind SERVICE_ACCOUNT', { kinds: ['SERVICE_ACCOUNT'] }, [SA]],
    ['kind BOOTSTRAP or USER', { kinds: ['BOOTSTRAP', 'USER'] }, ['alice', 'bob']],
    ['username prefix', { usernamePrefix: 'system:' }, [SA]],
    ['group membership', { group: 'ops' }, ['bob']],
    ['strategy used', { strategies: ['basic-auth'] }, ['alice']],
    ['with failures (authenticated, then refused by policy)', { hasFailures: true }, ['alice']],
  ])('%s', async (_name, filter, expected) => {
    const answer = await ok<{ identities: Conn<{ username: string }> }>(`query($f: IdentityFilter) { identities(filter: $f) { totalCount edges { node { username } } } }`, { f: filter });
    expect(answer.identities.edges.map((e) => e.node.username)).toEqual(expected);
    expect(answer.identities.totalCount).toBe(expected.length);
  });

  it('identity(username) has the aggregated counts', async () => {
    const answer = await ok<{ identity: Record<string, unknown> }>(
      `{ identity(username: "alice") { username uid kind groups strategies successCount failureCount firstSeen lastSeen lastSourceIp credentials { fingerprint distinctSourceIps } } }`,
    );
    expect(answer.identity).toEqual({
      username: 'alice',
      uid: 'uid-alice',
      kind: 'USER',
      groups: ['dev', 'system:authenticated'],
      strategies: ['basic-auth'],
      successCount: 5,
      // The wrong passwords are failures of the name, not of the identity: only the policy refusal counts.
      failureCount: 1,
      firstSeen: T0.toISOString(),
      lastSeen: minute(27).toISOString(),
      lastSourceIp: '10.0.0.1',
      // Only the right password is alice's credential (a wrong one fingerprints nothing).
      credentials: [{ fingerprint: FP.alice, distinctSourceIps: 1 }],
    });
  });

  it('a page of identities with their credentials costs a bounded number of SQL statements', async () => {
    queries.length = 0;
    const answer = await ok<{ identities: Conn<{ credentials: unknown[] }> }>(
      `{ identities(first: 50) { edges { node { username credentials { fingerprint identity { username } } } } } }`,
    );
    expect(answer.identities.edges).toHaveLength(3);
    // One for the page, one for every identity's credentials, one for the identities of those
    // credentials (the DataLoader batches each level), whatever the page size.
    expect(queries).toHaveLength(3);
  });
});

describe('credentials (token usage)', () => {
  it.each([
    ['every credential', {}, 6],
    // bob's token (last at 10:09); alice's password was used again at 10:27 (refused by policy).
    ['stale: not used since 10:10', { notUsedSince: minute(10).toISOString() }, 1],
    // The service-account token expires at 13:00; the bootstrap token expired the day before.
    ['expiring within 2 hours (expired ones included)', { expiringWithinSeconds: 7200 }, 2],
    ['used from more than one source IP', { minDistinctSourceIpsExclusive: 1 }, 1],
    ['revoked', { revoked: true }, 1],
    ['not revoked', { revoked: false }, 5],
    ['type', { types: ['static-token'] }, 3],
    ['username', { username: 'bob' }, 1],
  ])('%s', async (_name, filter, expected) => {
    const answer = await ok<{ credentials: Conn<{ fingerprint: string }> }>(`query($f: CredentialFilter) { credentials(filter: $f) { totalCount edges { node { fingerprint } } } }`, { f: filter });
    expect(answer.credentials.totalCount).toBe(expected);
    expect(answer.credentials.edges).toHaveLength(expected);
  });

  it('credential(fingerprint) shows usage and the identity', async () => {
    const answer = await ok<{ credential: Record<string, unknown> }>(
      `query($fp: String!) { credential(fingerprint: $fp) { fingerprint type strategy username publicId issuer expiresAt useCount failureCount distinctSourceIps revoked firstUsed lastUsed identity { username } } }`,
      { fp: FP.ci },
    );
    expect(answer.credential).toEqual({
      fingerprint: FP.ci,
      type: 'service-account',
      strategy: 'service-account',
      username: SA,
      publicId: 'jti-ci-1',
      issuer: 'https://kubernetes.default.svc.cluster.local',
      expiresAt: SA_EXPIRES.toISOString(),
      useCount: 4,
      failureCount: 0,
      distinctSourceIps: 2,
      revoked: false,
      firstUsed: minute(10).toISOString(),
      lastUsed: minute(13).toISOString(),
      identity: { username: SA },
    });
  });

  it('an admin gets the fingerprint of a token they hold from credentialFingerprint, and finds its usage', async () => {
    const fp = await ok<{ credentialFingerprint: string }>('query($s: String!) { credentialFingerprint(secret: $s) }', { s: data.secrets.leakedToken }, api.tokens.admin);
    expect(fp.credentialFingerprint).toBe(FP.leaked);
    const usage = await ok<{ credential: { failureCount: number; revoked: boolean } }>(`query($fp: String!) { credential(fingerprint: $fp) { failureCount revoked } }`, { fp: fp.credentialFingerprint });
    expect(usage.credential).toEqual({ failureCount: COUNTS.leaked, revoked: true });
  });

  it('pages credentials two at a time', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const answer: { credentials: Conn<{ fingerprint: string }> } = await ok(
        `query($after: String) { credentials(first: 2, after: $after) { edges { node { fingerprint } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...answer.credentials.edges.map((e) => e.node.fingerprint));
      if (!answer.credentials.pageInfo.hasNextPage) break;
      after = answer.credentials.pageInfo.endCursor;
    }
    expect(seen).toEqual([FP.alice, FP.bootstrap, FP.guess, FP.leaked, FP.ci, FP.bob]);
  });
});

describe('policy, revocations, audit health', () => {
  it('policy is the newest version and policyHistory lists all, newest first', async () => {
    const answer = await ok<{ policy: { version: number; appliedBy: string; appliedAt: string }; policyHistory: Conn<{ version: number }> }>(
      `{ policy { version appliedBy appliedAt } policyHistory(first: 1) { totalCount edges { node { version } } pageInfo { hasNextPage } } }`,
    );
    expect(answer.policy).toEqual({ version: 2, appliedBy: 'ada', appliedAt: minute(30).toISOString() });
    // Version 1 is the config's policy.file, published by authn at its start.
    expect(answer.policyHistory.totalCount).toBe(2);
    expect(answer.policyHistory.edges.map((e) => e.node.version)).toEqual([2]);
    expect(answer.policyHistory.pageInfo.hasNextPage).toBe(true);
  });

  it.each([
    ['all revocations, newest first', {}, ['r-2', 'r-1']],
    ['active only', { active: true }, ['r-1']],
    ['lifted or expired only', { active: false }, ['r-2']],
    ['by fingerprint', { fingerprint: 'FP.leaked' }, ['r-1']],
  ])('revocations: %s', async (_name, filter, expected) => {
    const f = 'fingerprint' in filter ? { fingerprint: FP.leaked } : filter;
    const answer = await ok<{ revocations: Conn<{ id: string; active: boolean }> }>(`query($f: RevocationFilter) { revocations(filter: $f) { totalCount edges { node { id active } } } }`, { f });
    expect(answer.revocations.edges.map((e) => e.node.id)).toEqual(expected);
  });

  it('auditHealth: one boot that stopped cleanly, nothing missing, dropped or dead-lettered, nothing left to project', async () => {
    const answer = await ok<{ auditHealth: { producers: Record<string, unknown>[] } & Record<string, unknown> }>(
      `{ auditHealth { projectorLag sequenceGaps deadLettered droppedEvents producers { instance boot minSequence maxSequence lastSequence received missing dropped state firstSeen lastSeen } } }`,
    );
    expect(answer.auditHealth).toMatchObject({ projectorLag: 0, sequenceGaps: 0, deadLettered: 0, droppedEvents: 0 });
    expect(answer.auditHealth.producers).toEqual([
      {
        instance: 'authn-test',
        boot: expect.stringMatching(/^[0-9a-f-]{36}$/),
        minSequence: '1',
        maxSequence: String(COUNTS.total),
        lastSequence: String(COUNTS.total),
        received: COUNTS.total,
        missing: 0,
        dropped: 0,
        state: 'STOPPED',
        firstSeen: T0.toISOString(),
        lastSeen: expect.any(String),
      },
    ]);
  });
});
