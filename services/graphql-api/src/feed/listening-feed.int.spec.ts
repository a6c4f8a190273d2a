// Subscription.decisions fed by LISTEN/NOTIFY, through the production path: requests to the real
// authn app, its decision events on the bus, the real projector appending them to a real
// PostgreSQL and NOTIFYing from its batch transaction, this API's one listen connection, and
// graphql-ws clients. Each decision must arrive exactly once per subscriber, also when the listen
// connection is killed and decisions are projected while it is down.
import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Client as PgClient } from 'pg';
import { openReadModel, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase, type PlannedRequest, type TrafficPlan } from '@authtrail/testing';
import { createTrafficEnvironment, fillReadModel, type TrafficEnvironment } from '../testdata/traffic.fixture';
import { startTestApi, type TestApi } from '../testdata/test-api.fixture';
import { pgListenConnector, type ListenConnector } from './listen-connection';
import { BadNotificationError, DECISIONS_PROJECTED_CHANNEL } from './decisions-projected.notification';
import { createListeningDecisionFeed, type ListeningDecisionFeed } from './listening-decision-feed';

const APPLICATION_NAME = 'feed-spec-listen';
let api: TestApi;
let feedDb: ReadModelDb;
let feed: ListeningDecisionFeed;
let databaseUrl: string;
let traffic: TrafficEnvironment;
let plan: (requests: readonly PlannedRequest[]) => TrafficPlan;
const BOB = randomBytes(24).toString('base64url');

// Reconnects wait at this gate while a test holds it closed (the connection itself is real).
let gate: Promise<void> = Promise.resolve();
const errors: unknown[] = [];
let connectCalls = 0;
let reconnectAsked: () => void = () => undefined;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('graphql_listen_feed');
  traffic = createTrafficEnvironment();
  const configFile = traffic.writeConfig([`{ id: static-token, tokenFile: ${JSON.stringify(traffic.file('tokens.csv', `${BOB},bob,uid-bob,"ops"\n`))} }`]);
  plan = (requests) => ({ configFile, boots: [{ requests }] });
  const real = pgListenConnector({ connectionString: databaseUrl, applicationName: APPLICATION_NAME });
  const gated: ListenConnector = async (handlers) => {
    connectCalls += 1;
    if (connectCalls > 1) {
      reconnectAsked();
      await gate;
    }
    return real(handlers);
  };
  feedDb = await openReadModel(databaseUrl, { poolSize: 2 });
  feed = createListeningDecisionFeed({ db: feedDb, connect: gated, retryDelaysMs: [50], onError: (error) => errors.push(error) });
  api = await startTestApi(databaseUrl, { feed });
});

afterAll(async () => {
  await api?.close();
  await feedDb?.destroy();
  traffic?.close();
});

const request = (peer: string, decision: 'allow' | 'deny'): PlannedRequest => ({
  method: 'GET',
  url: '/v1/forward-auth',
  remoteAddress: peer,
  headers: { authorization: `Bearer ${decision === 'allow' ? BOB : randomBytes(24).toString('base64url')}` },
});

/** Projects `requests` through authn and the projector; the decision ids, in request order. */
async function project(requests: readonly PlannedRequest[]): Promise<string[]> {
  const result = await fillReadModel(databaseUrl, plan(requests), traffic);
  return result.boots.flat().map((r) => r.decisionId!);
}

interface Subscriber {
  readonly ids: string[];
  readonly client: Client;
  dispose(): Promise<void>;
}

function subscribe(query: string): Subscriber {
  const client = createClient({
    url: `${api.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { Authorization: `Bearer ${api.tokens.viewer}` },
  });
  const ids: string[] = [];
  const unsubscribe = client.subscribe<{ decisions: { id: string } }>({ query }, { next: (m) => m.data && ids.push(m.data.decisions.id), error: () => undefined, complete: () => undefined });
  return {
    ids,
    client,
    async dispose() {
      unsubscribe();
      await client.dispose();
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

const counts = (ids: readonly string[]): Map<string, number> => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());

describe('Subscription.decisions over LISTEN/NOTIFY', () => {
  let all: Subscriber;
  let denied: Subscriber;
  const projectedAllow: string[] = [];
  const projectedDeny: string[] = [];

  beforeAll(async () => {
    all = subscribe('subscription { decisions { id } }');
    denied = subscribe('subscription { decisions(filter: { decision: DENY, sourceIp: "10.44.0.0/16" }) { id } }');
    await until(() => feed.state().subscribers === 2 && feed.state().listening, 'both subscriptions on a listening feed');
  });

  afterAll(async () => {
    await all?.dispose();
    await denied?.dispose();
  });

  /** Projects a mix from 10.44.x (half of it refused), remembering the ids by outcome. */
  async function projectMix(n: number): Promise<string[]> {
    const requests = Array.from({ length: n }, (_, i) => request(`10.44.${n}.${i + 1}`, i % 2 === 0 ? 'deny' : 'allow'));
    const ids = await project(requests);
    ids.forEach((id, i) => (i % 2 === 0 ? projectedDeny : projectedAllow).push(id));
    return ids;
  }

  it('delivers each projected decision once to every subscriber, through its filter', async () => {
    const ids = await projectMix(6);
    await until(() => ids.every((id) => all.ids.includes(id)), 'the six decisions');
    // A last decision after them: anything delivered twice would be in before it.
    const [sentinel] = await project([request('10.44.99.1', 'deny')]);
    projectedDeny.push(sentinel!);
    await until(() => all.ids.includes(sentinel!) && denied.ids.includes(sentinel!), 'the sentinel');
    expect([...counts(all.ids).values()].every((n) => n === 1)).toBe(true);
    expect(new Set(all.ids)).toEqual(new Set([...projectedAllow, ...projectedDeny]));
    expect(new Set(denied.ids)).toEqual(new Set(projectedDeny));
    expect(denied.ids).toHaveLength(projectedDeny.length);
  }, 120_000);

  it('catches up after its listen connection is killed: what was projected meanwhile arrives once', async () => {
    const before = feed.state();
    let open: () => void = () => undefined;
    gate = new Promise((resolve) => (open = resolve));
    const asked = new Promise<void>((resolve) => (reconnectAsked = resolve));
    const admin = new PgClient({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const killed = await admin.query<{ n: string }>('SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [APPLICATION_NAME]);
      expect(killed.rows[0]!.n).toBe('1');
    } finally {
      await admin.end();
    }
    await asked;
    expect(feed.state().listening).toBe(false);
    // Projected while nobody listens: their notifications are lost with the connection.
    const meanwhile = await projectMix(4);
    open();
    await until(() => feed.state().listening && feed.state().reconnects === before.reconnects + 1, 'the reconnect');
    const after = await projectMix(3);
    const [sentinel] = await project([request('10.44.98.1', 'deny')]);
    projectedDeny.push(sentinel!);
    await until(() => [...meanwhile, ...after, sentinel!].every((id) => all.ids.includes(id)) && denied.ids.includes(sentinel!), 'every decision of the outage and after');
    expect(feed.state().caughtUp - before.caughtUp).toBe(meanwhile.length);
    expect([...counts(all.ids).values()].every((n) => n === 1)).toBe(true);
    expect([...counts(denied.ids).values()].every((n) => n === 1)).toBe(true);
    expect(new Set(all.ids)).toEqual(new Set([...projectedAllow, ...projectedDeny]));
    expect(all.ids).toHaveLength(projectedAllow.length + projectedDeny.length);
    expect(new Set(denied.ids)).toEqual(new Set(projectedDeny));
  }, 180_000);
  it('does not stream a decision stamped more than 10 s before the newest one (it is history), and streams the next', async () => {
    const old = { ...request('10.44.97.1', 'deny'), time: new Date(Date.now() - 3_600_000).toISOString() };
    const [late, sentinel] = await project([old, request('10.44.97.2', 'deny')]);
    projectedDeny.push(sentinel!);
    await until(() => all.ids.includes(sentinel!) && denied.ids.includes(sentinel!), 'the sentinel');
    expect(all.ids).not.toContain(late);
    expect(denied.ids).not.toContain(late);
  }, 120_000);

  it('skips a notification that is not the projector\'s, reports it by name, and keeps streaming', async () => {
    const before = errors.length;
    const sender = new PgClient({ connectionString: databaseUrl });
    await sender.connect();
    try {
      await sender.query('SELECT pg_notify($1, $2)', [DECISIONS_PROJECTED_CHANNEL, '{"v":1,"newest":"soon","ids":["x"]}']);
    } finally {
      await sender.end();
    }
    const [sentinel] = await project([request('10.44.96.1', 'deny')]);
    projectedDeny.push(sentinel!);
    await until(() => all.ids.includes(sentinel!) && denied.ids.includes(sentinel!), 'the sentinel');
    expect(errors.slice(before).some((e) => e instanceof BadNotificationError)).toBe(true);
    expect([...counts(all.ids).values()].every((n) => n === 1)).toBe(true);
    expect(new Set(all.ids)).toEqual(new Set([...projectedAllow, ...projectedDeny]));
  }, 120_000);
});
