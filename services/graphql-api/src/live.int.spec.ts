// The live parts: Subscription.decisions over a real graphql-ws WebSocket, and mutations that
// publish control events to the real Kafka broker of the test run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createKafkaBus, type EventBus } from '@authtrail/event-bus';
import { CREDENTIAL_REVOKED_EVENT_TYPE, decodeEvent, POLICY_APPLIED_EVENT_TYPE, TOPICS } from '@authtrail/events';
import { openReadModel, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase, testKafkaBrokers, type PlannedRequest, type TrafficPlan } from '@authtrail/testing';
import { createTrafficEnvironment, fillReadModel, type TrafficEnvironment } from './testdata/traffic.fixture';
import { startTestApi, type TestApi } from './testdata/test-api.fixture';

let api: TestApi;
let readModel: ReadModelDb;
let bus: EventBus;
let spoolDir: string;
let databaseUrl: string;
let traffic: TrafficEnvironment;
let plan: (requests: readonly PlannedRequest[]) => TrafficPlan;
const BOB = randomBytes(24).toString('base64url');

beforeAll(async () => {
  spoolDir = mkdtempSync(join(tmpdir(), 'authtrail-graphql-spool-'));
  bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'graphql-api-test', mode: 'strict', spoolDir, strictTimeoutMs: 15_000 });
  databaseUrl = await createTestDatabase('graphql_live');
  traffic = createTrafficEnvironment();
  const configFile = traffic.writeConfig([`{ id: static-token, tokenFile: ${JSON.stringify(traffic.file('tokens.csv', `${BOB},bob,uid-bob,"ops"\n`))} }`]);
  plan = (requests) => ({ configFile, boots: [{ requests }] });
  // No projector here: compare-and-set mutations see no outcome, so they wait briefly.
  readModel = await openReadModel(databaseUrl, { poolSize: 2 });
  api = await startTestApi(databaseUrl, { control: { publisher: bus.publisher, source: '/authtrail/graphql-api/test', readModel }, limits: { mutationTimeoutMs: 300 } });
});

afterAll(async () => {
  await api?.close();
  await readModel?.destroy();
  await bus?.close();
  traffic?.close();
  rmSync(spoolDir, { recursive: true, force: true });
});

/** A request straight from `peer` at the real time (the live feed streams what is new): bob's token, or an unknown one. */
const straightFrom = (peer: string, decision: 'allow' | 'deny'): PlannedRequest => ({
  method: 'GET',
  url: '/v1/forward-auth',
  remoteAddress: peer,
  headers: { authorization: `Bearer ${decision === 'allow' ? BOB : randomBytes(24).toString('base64url')}` },
});

function wsClient(token: string | null): Client {
  return createClient({
    url: `${api.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
  });
}

describe('Subscription.decisions', () => {
  it('receives DENY decisions projected after it subscribed, filtered, and not older ones', async () => {
    const before = (await fillReadModel(databaseUrl, plan([straightFrom('10.9.9.9', 'deny')]), traffic)).boots.flat().map((r) => r.decisionId);
    const client = wsClient(api.tokens.viewer);
    const received: { id: string; decision: string; sourceIp: string }[] = [];
    const dispose = client.subscribe<{ decisions: { id: string; decision: string; sourceIp: string } }>(
      { query: 'subscription { decisions(filter: { decision: DENY, sourceIp: "10.9.0.0/16" }) { id decision sourceIp } }' },
      { next: (message) => message.data && received.push(message.data.decisions), error: () => undefined, complete: () => undefined },
    );
    const inserted: string[] = [];
    try {
      // The server primes its feed when the first subscriber arrives; keep sending traffic until
      // a decision arrives (bounded), each time one matching deny and one allow the filter must drop.
      for (let attempt = 0; attempt < 4 && received.length === 0; attempt += 1) {
        const result = await fillReadModel(databaseUrl, plan([straightFrom('10.9.1.1', 'deny'), straightFrom('10.9.1.2', 'allow')]), traffic);
        expect(result.boots[0]!.map((r) => r.status)).toEqual([401, 200]);
        inserted.push(result.boots[0]![0]!.decisionId!);
        for (let wait = 0; wait < 20 && received.length === 0; wait += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(received.length).toBeGreaterThan(0);
      for (const decision of received) {
        expect(decision.decision).toBe('DENY');
        expect(decision.sourceIp).toBe('10.9.1.1');
        expect(inserted).toContain(decision.id);
      }
      expect(received.map((d) => d.id)).not.toContain(before[0]);
    } finally {
      dispose();
      await client.dispose();
    }
  }, 90_000);

  it('refuses a WebSocket connection without credentials (close code 4403)', async () => {
    const client = wsClient(null);
    const closed = await new Promise<number>((resolve) => {
      client.on('closed', (event) => resolve((event as { code: number }).code));
      client.subscribe({ query: 'subscription { decisions { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    await client.dispose();
    expect(closed).toBe(4403);
  });
});

describe('mutations publish control events to Kafka', () => {
  async function controlEvents(): Promise<ReturnType<typeof decodeEvent>[]> {
    const events: ReturnType<typeof decodeEvent>[] = [];
    await bus.subscriber.readToEnd(TOPICS.control, (record) => {
      if (record.value) events.push(decodeEvent(record.value));
    });
    return events;
  }

  it('revokeCredential publishes a credential-revoked event with the admin as revokedBy', async () => {
    const response = await api.gql<{ revokeCredential: { id: string; jti: string; revokedBy: string; active: boolean } }>(
      'mutation { revokeCredential(input: { jti: "jti-live-1", reason: "lifted from a pod" }) { id jti revokedBy active } }',
      {},
      api.tokens.admin,
    );
    expect(response.body.errors).toBeUndefined();
    const revocation = response.body.data!.revokeCredential;
    expect(revocation).toMatchObject({ jti: 'jti-live-1', revokedBy: 'ada', active: true });
    const events = await controlEvents();
    const published = events.find((e) => e.ok && e.event.type === CREDENTIAL_REVOKED_EVENT_TYPE && (e.event.data as { revocationId: string }).revocationId === revocation.id);
    expect(published).toMatchObject({ ok: true, event: { data: { jti: 'jti-live-1', revokedBy: 'ada', reason: 'lifted from a pod' } } });
  });

  it('applyPolicy validates the document, publishes version expectedVersion + 1, and without a projector reports OUTCOME_PENDING', async () => {
    const bad = await api.gql('mutation { applyPolicy(document: "strategies: { static-token: { mode: sometimes } }", expectedVersion: 0) { version } }', {}, api.tokens.admin);
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'document' });
    const stale = await api.gql('mutation { applyPolicy(document: "strategies: {}", expectedVersion: 4) { version } }', {}, api.tokens.admin);
    expect(stale.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 0 });
    const published = await api.gql<{ applyPolicy: { version: number } }>(
      'mutation($d: String!) { applyPolicy(document: $d, expectedVersion: 0, comment: "warn on static tokens") { version } }',
      { d: 'strategies:\n  static-token: { mode: warn }\n' },
      api.tokens.admin,
    );
    expect(published.body.errors?.[0]?.extensions).toMatchObject({ code: 'OUTCOME_PENDING', eventId: expect.any(String) });
    const eventId = published.body.errors![0]!.extensions!['eventId'];
    const events = await controlEvents();
    expect(events.find((e) => e.ok && e.event.type === POLICY_APPLIED_EVENT_TYPE && e.event.id === eventId)).toMatchObject({ event: { data: { version: 1, appliedBy: 'ada', comment: 'warn on static tokens' } } });
  });

  it.each([
    ['no selector', '{ reason: "x" }'],
    ['two selectors', '{ jti: "a", fingerprint: "b" }'],
    ['a certificate serial without issuer', '{ certificateSerial: "01" }'],
    ['an expiry in the past', '{ jti: "a", expiresAt: "2000-01-01T00:00:00Z" }'],
    ['a fingerprint that is not one', '{ fingerprint: "abc" }'],
    ['a malformed jti', '{ jti: "two words" }'],
    ['a serial that is not hex', '{ certificateSerial: "zz", certificateIssuer: "CN=ca" }'],
  ])('revokeCredential with %s is BAD_USER_INPUT and publishes nothing', async (_name, input) => {
    const response = await api.gql(`mutation { revokeCredential(input: ${input}) { id } }`, {}, api.tokens.admin);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('liftRevocation of an unknown id is BAD_USER_INPUT', async () => {
    const response = await api.gql('mutation { liftRevocation(id: "no-such-revocation") { id } }', {}, api.tokens.admin);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
