// GraphQL callers are decisions of the shared decision path (issue #15 item 1): one decision
// event per HTTP request and per WebSocket connection, endpoint `graphql`, under revocation and
// throttling, and no cache holding a raw secret. Real strategies, real Postgres, in-process bus.
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { StrategyRegistry } from '@authtrail/authentication';
import { controlEvent, CREDENTIAL_REVOKED_EVENT_TYPE, decodeEvent, newEventId, REVOCATION_LIFTED_EVENT_TYPE, toBusRecord, TOPICS, type DecisionEvent } from '@authtrail/events';
import { createStrategy, scryptPhc, type RequestView } from '@authtrail/strategies';
import { createTestDatabase, waitFor } from '@authtrail/testing';
import { ADMIN_GROUP, startTestApi, VIEWER_GROUP, type TestApi } from './testdata/test-api.fixture';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const newest = (events: readonly DecisionEvent[]) => events[events.length - 1]!;

function wsClient(api: TestApi, token: string): Client {
  return createClient({ url: `${api.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, connectionParams: { Authorization: `Bearer ${token}` } });
}

/** Resolves with the close code once the server closes the connection, or 'open' once it acknowledged it. */
function connectionOutcome(client: Client): Promise<number | 'open'> {
  return new Promise((resolve) => {
    client.on('connected', () => resolve('open'));
    client.on('closed', (event) => resolve((event as { code: number }).code));
  });
}

describe('GraphQL callers are recorded decisions under revocation', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(await createTestDatabase('graphql_caller_decisions'), {}, { mutations: true });
  }, 120_000);
  afterAll(async () => api?.close());

  it('one query is one decision event with endpoint graphql, the caller and its decision id in the answer', async () => {
    const before = (await api.decisionEvents()).length;
    const response = await api.gql('{ policy { version } }', {}, api.tokens.viewer);
    expect(response.status).toBe(200);
    const events = await api.decisionEvents();
    expect(events).toHaveLength(before + 1);
    const event = newest(events);
    expect(event.id).toBe(response.headers.get('x-authtrail-decision-id'));
    expect(event.source).toBe('/authtrail/graphql-api/graphql-api%40graphql-test');
    expect(event.data).toMatchObject({ decision: 'allow', httpStatus: 200, reason: 'ok', strategy: 'static-token', user: { username: 'vera' }, request: { endpoint: 'graphql', method: 'POST', path: '/graphql' }, instance: 'graphql-api@graphql-test' });
    expect(event.data.credential?.fingerprint).toMatch(/^hmac-sha256:test:[0-9a-f]{64}$/);
  });

  it('an unknown token is a recorded 401 deny with endpoint graphql', async () => {
    const response = await api.gql('{ policy { version } }', {}, randomBytes(16).toString('hex'));
    expect(response.status).toBe(401);
    expect(newest(await api.decisionEvents()).data).toMatchObject({ decision: 'deny', httpStatus: 401, reason: 'unknown_token', request: { endpoint: 'graphql' } });
  });

  it('a WebSocket connection (connection_init) is a decision too', async () => {
    const before = (await api.decisionEvents()).length;
    const client = wsClient(api, api.tokens.viewer);
    try {
      expect(await connectionOutcome(client)).toBe('open');
    } finally {
      await client.dispose();
    }
    const events = await api.decisionEvents();
    expect(events).toHaveLength(before + 1);
    expect(newest(events).data).toMatchObject({ decision: 'allow', user: { username: 'vera' }, request: { endpoint: 'graphql', method: 'GET', path: '/graphql' } });
  });

  it('the callers\' cache keeps fingerprints, never the raw token', async () => {
    const view: RequestView = { headers: { authorization: `Bearer ${api.tokens.admin}` }, peerCertificates: [], sourceIp: '127.0.0.1', method: 'POST', path: '/graphql', audiences: [], tls: false };
    const { chain } = api.authentication.chain;
    await chain.authenticateWithTrace(view);
    const hits = api.authentication.chain.cacheStats()?.hits ?? Number.NaN;
    // The second call is answered from the stored entry: what it returns is what the cache holds.
    const stored = await chain.authenticateWithTrace(view);
    expect(api.authentication.chain.cacheStats()?.hits).toBe(hits + 1);
    expect(stored.outcome.kind).toBe('authenticated');
    expect(JSON.stringify(stored)).not.toContain(api.tokens.admin);
    expect(stored.outcome.kind === 'authenticated' && stored.outcome.credential.fingerprint).toMatch(/^hmac-sha256:test:/);
  });

  it('a revoked admin token is refused (401, HTTP and WebSocket) and cannot lift its own revocation', async () => {
    const admin = api.tokens.admin;
    const fingerprint = (await api.gql<{ credentialFingerprint: string }>('query($s: String!) { credentialFingerprint(secret: $s) }', { s: admin }, admin)).body.data!.credentialFingerprint;
    const revocationId = randomUUID();
    const time = new Date();
    await api.bus.publisher.publish(
      toBusRecord(TOPICS.control, controlEvent({ id: newEventId(time), time, source: '/authtrail/test/security-team', type: CREDENTIAL_REVOKED_EVENT_TYPE, data: { revocationId, fingerprint, revokedBy: 'security-team' } })),
    );

    // The control topic is followed live: within a moment the admin's next call is refused.
    const refused = await waitFor('the revocation to apply', async () => {
      const response = await api.gql('{ policy { version } }', {}, admin);
      return response.status === 401 ? response : undefined;
    });
    expect(refused.body.data).toBeUndefined();
    expect(newest(await api.decisionEvents()).data).toMatchObject({ decision: 'deny', httpStatus: 401, reason: 'credential_revoked', user: { username: 'ada' }, request: { endpoint: 'graphql' } });

    const lift = await api.gql('mutation($id: ID!) { liftRevocation(id: $id) { id } }', { id: revocationId }, admin);
    expect(lift.status).toBe(401);
    const lifts: string[] = [];
    await api.bus.subscriber.readToEnd(TOPICS.control, (record) => {
      const decoded = decodeEvent(record.value);
      if (decoded.ok && decoded.event.type === REVOCATION_LIFTED_EVENT_TYPE) lifts.push(decoded.event.id);
    });
    expect(lifts).toEqual([]);

    const client = wsClient(api, admin);
    try {
      expect(await connectionOutcome(client)).toBe(4403);
    } finally {
      await client.dispose();
    }
    expect(newest(await api.decisionEvents()).data).toMatchObject({ reason: 'credential_revoked', request: { endpoint: 'graphql', method: 'GET' } });
  }, 60_000);
});

describe('readiness', () => {
  it('/readyz is 503 while the control state (policy, revocations) is not loaded, even with the database up', async () => {
    const url = await createTestDatabase('graphql_caller_readyz');
    let loaded = false;
    const api = await startTestApi(url, { ready: () => loaded });
    try {
      expect((await fetch(`${api.url}/readyz`)).status).toBe(503);
      loaded = true;
      expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});

describe('GraphQL callers are throttled before any strategy runs', () => {
  const passwords = { bob: `bob-${randomBytes(8).toString('hex')}`, carol: `carol-${randomBytes(8).toString('hex')}` };
  let api: TestApi;
  let passwordChecks = 0;
  // Every basic-auth attempt verifies one password hash: counting the strategy's runs counts the hashes.
  const registry: StrategyRegistry = {
    async createStrategy(entry, deps, path) {
      const strategy = await createStrategy(entry, deps, path);
      if (entry.id !== 'basic-auth') return strategy;
      return {
        id: strategy.id,
        authenticate: (request) => {
          passwordChecks += 1;
          return strategy.authenticate(request);
        },
        close: () => strategy.close?.() ?? Promise.resolve(),
      };
    },
  };

  beforeAll(async () => {
    api = await startTestApi(
      await createTestDatabase('graphql_caller_throttle'),
      {},
      {
        users: [`"${await scryptPhc(passwords.bob, { ln: 4 })}",bob,uid-bob,"${ADMIN_GROUP}"`, `"${await scryptPhc(passwords.carol, { ln: 4 })}",carol,uid-carol,"${VIEWER_GROUP}"`],
        policy: 'throttle:\n  perCredential: { failures: 3, window: 1m, block: 5m }\n',
        registry,
      },
    );
  }, 120_000);
  afterAll(async () => api?.close());

  const call = (authorization: string) =>
    fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: '{ policy { version } }' }) });

  it('wrong passwords on the GraphQL port are recorded decisions; then the account is refused with 429 and no hash', async () => {
    for (let i = 0; i < 3; i += 1) expect((await call(basic('bob', `guess-${i}`))).status).toBe(401);
    expect(passwordChecks).toBe(3);
    const guesses = (await api.decisionEvents()).filter((e) => e.data.claimedUsername === 'bob');
    expect(guesses.map((e) => [e.data.reason, e.data.request.endpoint])).toEqual([
      ['invalid_password', 'graphql'],
      ['invalid_password', 'graphql'],
      ['invalid_password', 'graphql'],
    ]);

    // Blocked: even the right password is refused, and no strategy (no KDF) runs for it.
    const blocked = await call(basic('bob', passwords.bob));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(basic('bob', 'another-guess'))).status).toBe(429);
    expect(passwordChecks).toBe(3);
    const last = newest(await api.decisionEvents());
    expect(last.data).toMatchObject({ decision: 'deny', httpStatus: 429, reason: 'throttled', attempts: [], request: { endpoint: 'graphql' }, policy: { effects: [{ rule: 'throttle.perCredential', effect: 'deny' }] } });

    // The key is the account, not the address: carol, from the same address, is not blocked.
    expect((await call(basic('carol', passwords.carol))).status).toBe(200);
    expect(passwordChecks).toBe(4);
  });
});
