// End to end, every part as its own process, as deployed: requests through the real authn
// service (static tokens and basic auth, successes and 401s from several source IPs) → a private
// Kafka broker → the projector → Postgres → this API (main.ts) answering with the exact counts,
// groupings and pagination expected. The broker is private so no other test's decisions land
// on authtrail.decisions.v1 and the counts are exact.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scryptPhc } from '@authtrail/strategies';
import { createTestDatabase, freePort, startKafkaBroker, waitFor as waitUntil, type RunningKafkaBroker } from '@authtrail/testing';

const ROOT = join(__dirname, '../../..');
const secret = () => randomBytes(18).toString('base64url');
const TOKENS = { alice: secret(), viewer: secret(), admin: secret(), unknown: secret() };
const BOB_PASSWORD = secret();

interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  output: string;
}

let kafka: RunningKafkaBroker;
let dir: string;
let authnUrl: string;
let apiUrl: string;
const services: Service[] = [];

function start(name: string, script: string, args: readonly string[], env: Record<string, string>): Service {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, AUTHTRAIL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service: Service = { name, child, output: '' };
  const keep = (chunk: Buffer) => (service.output = (service.output + chunk.toString()).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  services.push(service);
  return service;
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> =>
  waitUntil(what, probe, { timeoutMs, intervalMs: 300, diagnostics: () => services.map((s) => `--- ${s.name}\n${s.output}`).join('\n') });


const ready = (url: string) => () => fetch(url).then((r) => (r.ok ? true : undefined));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authtrail-e2e-'));
  [kafka, authnUrl, apiUrl] = await Promise.all([
    startKafkaBroker({ log: () => undefined }),
    freePort().then((p) => `http://127.0.0.1:${p}`),
    freePort().then((p) => `http://127.0.0.1:${p}`),
  ]);
  const databaseUrl = await createTestDatabase('graphql_e2e');
  writeFileSync(
    join(dir, 'tokens.csv'),
    [`${TOKENS.alice},alice,uid-alice,"dev"`, `${TOKENS.viewer},vera,uid-vera,"authtrail:viewers"`, `${TOKENS.admin},ada,uid-ada,"authtrail:admins"`].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'users.csv'), `"${await scryptPhc(BOB_PASSWORD, { ln: 10 })}",bob,uid-bob,"ops"\n`);
  writeFileSync(
    join(dir, 'authtrail.yaml'),
    [
      `dataDir: ${join(dir, 'data')}`,
      'authn:',
      `  http: { port: ${new URL(authnUrl).port}, host: 127.0.0.1 }`,
      '  trustedProxies: [127.0.0.1/32]',
      '  cache: { successTTL: 0s, failureTTL: 0s }',
      '  strategies:',
      `    - { id: static-token, tokenFile: ${join(dir, 'tokens.csv')} }`,
      `    - { id: basic-auth, passwordFile: ${join(dir, 'users.csv')} }`,
      'events:',
      `  kafka: { brokers: ["${kafka.brokers}"] }`,
      '  mode: strict',
      `database: { url: "${databaseUrl}" }`,
      `graphql: { port: ${new URL(apiUrl).port}, host: 127.0.0.1, viewerGroups: ["authtrail:viewers"], adminGroups: ["authtrail:admins"] }`,
      'fingerprint:',
      `  keys: [{ id: e2e, secret: "${randomBytes(32).toString('base64')}" }]`,
      'log: { level: warn }',
    ].join('\n') + '\n',
  );
  const config = ['--config', join(dir, 'authtrail.yaml')];
  // KAFKA_BROKERS / DATABASE_URL override the config file: point them at this test's own.
  const env = { KAFKA_BROKERS: kafka.brokers, DATABASE_URL: databaseUrl };
  start('projector', 'services/projector/src/main.ts', ['run'], { ...env, PROJECTOR_GROUP_ID: 'e2e-projector', AUTHTRAIL_DATA_DIR: join(dir, 'projector') });
  start('authn', 'services/authn/src/main.ts', config, env);
  start('graphql-api', 'services/graphql-api/src/main.ts', config, env);
  await waitFor('authn', ready(`${authnUrl}/readyz`), 90_000);
  await waitFor('graphql-api', ready(`${apiUrl}/readyz`), 90_000);
}, 180_000);

afterAll(async () => {
  const exits = await Promise.all(
    services.map(
      (s) =>
        new Promise<number | null>((resolve) => {
          if (s.child.exitCode !== null) return resolve(s.child.exitCode);
          const timer = setTimeout(() => s.child.kill('SIGKILL'), 20_000);
          s.child.once('exit', (code) => {
            clearTimeout(timer);
            resolve(code);
          });
          s.child.kill('SIGTERM');
        }),
    ),
  );
  await kafka?.destroy();
  rmSync(dir, { recursive: true, force: true });
  // graceful SIGTERM: the API process (and the others) exit 0
  expect(exits).toEqual(services.map(() => 0));
}, 60_000);

async function authenticate(authorization: string | undefined, sourceIp: string): Promise<number> {
  const response = await fetch(`${authnUrl}/v1/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ headers: authorization ? { Authorization: authorization } : {}, sourceIp, method: 'GET', path: '/orders' }),
  });
  return response.status;
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}, token = TOKENS.viewer): Promise<T> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

it('answers who authenticated, which requests were refused and why, with exact counts and pages', async () => {
  const plan: [string | undefined, string, number, number][] = [
    [`Bearer ${TOKENS.alice}`, '10.1.0.1', 3, 200],
    [basic('bob', BOB_PASSWORD), '10.1.0.2', 2, 200],
    [`Bearer ${TOKENS.unknown}`, '198.51.100.7', 4, 401],
    [basic('bob', 'wrong-password'), '198.51.100.8', 2, 401],
    [undefined, '198.51.100.9', 1, 401],
  ];
  for (const [authorization, ip, times, status] of plan) {
    for (let i = 0; i < times; i += 1) expect(await authenticate(authorization, ip)).toBe(status);
  }

  // The projector is asynchronous: wait (bounded) until all 12 decisions are queryable. The API's
  // own callers are decisions too (endpoint graphql), so authn's traffic is counted by endpoint.
  await waitFor('12 projected decisions', async () => {
    const data = await gql<{ decisions: { totalCount: number } }>('{ decisions(filter: { endpoint: "authenticate" }) { totalCount } }');
    return data.decisions.totalCount === 12 ? true : undefined;
  });

  const counts = await gql<{ all: { totalCount: number }; failures: { totalCount: number }; fromNet: { totalCount: number } }>(`{
    all: decisions(filter: { endpoint: "authenticate" }) { totalCount }
    failures: authFailures { totalCount }
    fromNet: authFailures(filter: { sourceIp: "198.51.100.0/24", reasons: ["unknown_token"] }) { totalCount }
  }`);
  expect(counts).toEqual({ all: { totalCount: 12 }, failures: { totalCount: 7 }, fromNet: { totalCount: 4 } });

  const since = new Date(Date.now() - 3_600_000).toISOString();
  const stats = await gql<{ byIp: { key: string; count: number }[]; byReason: { key: string; count: number }[]; byStrategy: { key: string | null; count: number }[] }>(
    `query($since: DateTime!) {
      byIp: failureStats(since: $since, groupBy: SOURCE_IP) { key count }
      byReason: failureStats(since: $since, groupBy: REASON) { key count }
      byStrategy: failureStats(since: $since, groupBy: STRATEGY) { key count }
    }`,
    { since },
  );
  expect(stats.byIp).toEqual([{ key: '198.51.100.7', count: 4 }, { key: '198.51.100.8', count: 2 }, { key: '198.51.100.9', count: 1 }]);
  expect(stats.byReason).toEqual([{ key: 'unknown_token', count: 4 }, { key: 'invalid_password', count: 2 }, { key: 'no_credentials', count: 1 }]);
  expect(stats.byStrategy.reduce((sum, g) => sum + g.count, 0)).toBe(7);

  const people = await gql<{ alice: { successCount: number; strategies: string[]; lastSourceIp: string; credentials: { useCount: number }[] }; bob: { successCount: number; strategies: string[] } }>(`{
    alice: identity(username: "alice") { successCount strategies lastSourceIp credentials { useCount } }
    bob: identity(username: "bob") { successCount strategies }
  }`);
  expect(people.alice).toEqual({ successCount: 3, strategies: ['static-token'], lastSourceIp: '10.1.0.1', credentials: [{ useCount: 3 }] });
  expect(people.bob).toMatchObject({ successCount: 2, strategies: ['basic-auth'] });

  // An admin holding alice's token finds its usage without the token being stored anywhere.
  const { credentialFingerprint } = await gql<{ credentialFingerprint: string }>('query($s: String!) { credentialFingerprint(secret: $s) }', { s: TOKENS.alice }, TOKENS.admin);
  const usage = await gql<{ credential: { username: string; useCount: number; distinctSourceIps: number } }>(
    'query($fp: String!) { credential(fingerprint: $fp) { username useCount distinctSourceIps } }',
    { fp: credentialFingerprint },
  );
  expect(usage.credential).toEqual({ username: 'alice', useCount: 3, distinctSourceIps: 1 });

  // Keyset pages of 5: 5 + 5 + 2, every decision once.
  const ids: string[] = [];
  let after: string | null = null;
  const sizes: number[] = [];
  for (let page = 0; page < 5; page += 1) {
    const data: { decisions: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } = await gql(
      'query($after: String) { decisions(first: 5, after: $after, filter: { endpoint: "authenticate" }) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
      { after },
    );
    ids.push(...data.decisions.edges.map((e) => e.node.id));
    sizes.push(data.decisions.edges.length);
    if (!data.decisions.pageInfo.hasNextPage) break;
    after = data.decisions.pageInfo.endCursor;
  }
  expect(sizes).toEqual([5, 5, 2]);
  expect(new Set(ids).size).toBe(12);

  // Every GraphQL call above was a decision of its own, recorded under the viewer's name.
  const apiCalls = await gql<{ decisions: { totalCount: number; edges: { node: { username: string; decision: string; endpoint: string } }[] } }>(
    '{ decisions(first: 1, filter: { endpoint: "graphql", username: "vera" }) { totalCount edges { node { username decision endpoint } } } }',
  );
  expect(apiCalls.decisions.totalCount).toBeGreaterThan(0);
  expect(apiCalls.decisions.edges[0]?.node).toEqual({ username: 'vera', decision: 'ALLOW', endpoint: 'graphql' });

  const health = await gql<{ auditHealth: { sequenceGaps: number; lastEventTime: string | null } }>('{ auditHealth { sequenceGaps lastEventTime } }');
  expect(health.auditHealth.sequenceGaps).toBe(0);
  expect(health.auditHealth.lastEventTime).not.toBeNull();
}, 120_000);
