import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger, startAuthn, type RunningAuthn } from '@authtrail/authn';
import { loadConfig, type AuthtrailConfig } from '@authtrail/config';
import { createKafkaBus, type EventBus } from '@authtrail/event-bus';
import { decodeEvent, TOPICS, type DecisionEvent } from '@authtrail/events';
import { startGraphqlApi, type RunningGraphqlApi } from '@authtrail/graphql-api';
import { publisherDeadLetters, resolveProjectorConfig, startProjector, type RunningProjector } from '@authtrail/projector';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { createTestDatabase, startKafkaBroker, type RunningKafkaBroker } from '@authtrail/testing';
import type { VerificationReport } from '@authtrail/integrity';
import { Kafka, logLevel } from 'kafkajs';
import { captureIo } from '../cli-test-io';
import { runCli } from '../run-cli';

// Issue 8 end to end: two authn instances, the projector and the GraphQL API on a real Kafka
// broker (a private one: policy lives on the fixed control topic, which other test files share
// on the run's broker) and a real Postgres. Control events go in through GraphQL mutations.
const dir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-policy-'));
const adminToken = randomBytes(18).toString('base64url');
const bobToken = randomBytes(18).toString('base64url');
const carolToken = randomBytes(18).toString('base64url');
const logger = createLogger('silent');

let broker: RunningKafkaBroker;
let config: AuthtrailConfig;
let db: ReadModelDb;
const buses: EventBus[] = [];
let projector: RunningProjector;
let graphql: RunningGraphqlApi;
const instances = new Map<string, RunningAuthn>();
const ignore = (): void => undefined;
const silentBusLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

function instance(name: string): RunningAuthn {
  const running = instances.get(name);
  if (!running) throw new Error(`no authn instance ${name}`);
  return running;
}

function openBus(name: string): EventBus {
  const bus = createKafkaBus({ brokers: [broker.brokers], clientId: `policy-e2e-${name}`, mode: 'buffered', spoolDir: path.join(dir, 'spool', name), logger: silentBusLogger });
  buses.push(bus);
  return bus;
}

async function startInstance(name: string): Promise<RunningAuthn> {
  const bus = openBus(`authn-${name}`);
  const running = await startAuthn({ ...config, authn: { ...config.authn, instance: name } }, { publisher: bus.publisher, subscriber: bus.subscriber, logger, registry: { createStrategy } });
  instances.set(name, running);
  await until(`${name} ready`, async () => (await fetch(`${running.http.url}/readyz`)).status === 200, 30_000);
  return running;
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

async function forwardAuth(instance: RunningAuthn, token: string, clientIp = '198.51.100.10'): Promise<{ status: number; reason?: string }> {
  // The test talks from loopback, a trusted proxy, so X-Forwarded-For names the client.
  const response = await fetch(`${instance.http.url}/v1/forward-auth`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': clientIp } });
  const body = (await response.json().catch(() => ({}))) as { reason?: string };
  return { status: response.status, ...(body.reason ? { reason: body.reason } : {}) };
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${graphql.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

async function decisionEvents(): Promise<DecisionEvent[]> {
  const kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `policy-e2e-reader-${randomBytes(4).toString('hex')}` });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(TOPICS.decisions);
  await admin.disconnect();
  const total = offsets.reduce((n, o) => n + Number(o.high), 0);
  const events: DecisionEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.decisions, fromBeginning: true });
  await new Promise<void>((resolve) => {
    if (total === 0) return resolve();
    void consumer.run({
      eachMessage: async ({ message }) => {
        const decoded = decodeEvent(message.value);
        if (decoded.ok && decoded.event.type === 'authtrail.authn.decision.v1') events.push(decoded.event);
        if (events.length >= total) resolve();
      },
    });
  });
  await consumer.disconnect();
  // The API's own callers are decisions too (endpoint graphql); these tests count authn's.
  return events.filter((event) => event.data.request.endpoint !== 'graphql');
}

beforeAll(async () => {
  broker = await startKafkaBroker({ log: () => undefined });
  const databaseUrl = await createTestDatabase('policy_e2e');
  await runMigrations(databaseUrl);
  db = await openReadModel(databaseUrl);
  writeFileSync(path.join(dir, 'tokens.csv'), `${adminToken},admin,1,"authtrail:admins"\n${bobToken},bob,2,"dev"\n${carolToken},carol,3,"dev"\n`);
  writeFileSync(path.join(dir, 'policy.yaml'), 'throttle:\n  perSourceIp: { failures: 5, window: 1m, block: 1m }\n');
  writeFileSync(
    path.join(dir, 'authtrail.yaml'),
    [
      `dataDir: ${dir}`,
      'authn:',
      '  http: { port: 0, host: 127.0.0.1 }',
      '  cache: { successTTL: 0s }',
      '  strategies: [{ id: static-token, tokenFile: ./tokens.csv }]',
      `events: { kafka: { brokers: ["${broker.brokers}"] } }`,
      `database: { url: "${databaseUrl}" }`,
      'graphql: { port: 0, host: 127.0.0.1 }',
      'policy: { file: ./policy.yaml }',
      `fingerprint: { keys: [{ id: e2e, secret: ${randomBytes(32).toString('base64')} }] }`,
    ].join('\n'),
  );
  config = loadConfig({ argv: ['--config', path.join(dir, 'authtrail.yaml')], env: {}, validateStrategy: validateStrategyConfig });

  const projectorBus = openBus('projector');
  projector = await startProjector(resolveProjectorConfig(), { db, subscriber: projectorBus.subscriber, deadLetters: publisherDeadLetters(projectorBus.publisher) });
  // GraphQL callers are decisions under the control topic's policy and revocations too.
  const graphqlBus = openBus('graphql');
  graphql = await startGraphqlApi(config, { dataSource: db, publisher: graphqlBus.publisher, subscriber: graphqlBus.subscriber, port: 0 });
  await startInstance('a');
  await startInstance('b');
}, 180_000);

afterAll(async () => {
  for (const instance of instances.values()) await instance.close();
  await graphql?.close();
  await projector?.stop();
  for (const bus of buses) await bus.close();
  await db?.destroy();
  await broker?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('event-sourced policy and revocation across authn instances', () => {
  it('the policy file became version 1 on the control topic and both instances run it', async () => {
    const events = await decisionEvents();
    expect(events).toEqual([]);
    await forwardAuth(instance('a'), bobToken);
    await until('decision recorded', async () => (await decisionEvents()).length === 1, 10_000);
    const [event] = await decisionEvents();
    expect(event.data.policy?.version).toBe(1);
  });

  it('a revocation made through GraphQL makes both instances refuse the credential within 2 seconds', async () => {
    for (const name of ['a', 'b']) expect(await forwardAuth(instance(name), carolToken)).toEqual({ status: 200 });
    const { credentialFingerprint } = await gql<{ credentialFingerprint: string }>('query($s: String!) { credentialFingerprint(secret: $s) }', { s: carolToken });
    expect(credentialFingerprint).toMatch(/^hmac-sha256:e2e:[0-9a-f]{64}$/);
    await gql('mutation($fp: String!) { revokeCredential(input: { fingerprint: $fp, reason: "leaked in a ticket" }) { id } }', { fp: credentialFingerprint });
    const refused = async (name: string) => (await forwardAuth(instance(name), carolToken)).reason === 'credential_revoked';
    // Both instances follow the control topic live; the acceptance bound is 2 s.
    await Promise.all([until('a refuses', () => refused('a'), 2_000), until('b refuses', () => refused('b'), 2_000)]);
    expect(await forwardAuth(instance('a'), bobToken)).toEqual({ status: 200 });
  });

  it('a restarted instance still refuses the revoked credential', async () => {
    await instance('b').close();
    const restarted = await startInstance('b');
    expect(await forwardAuth(restarted, carolToken)).toEqual({ status: 401, reason: 'credential_revoked' });
  });

  it('a policy applied through GraphQL changes decisions, and the events carry the new version', async () => {
    const { applyPolicy } = await gql<{ applyPolicy: { version: number } }>(
      'mutation($d: String!) { applyPolicy(document: $d, expectedVersion: 1, comment: "no bob via static tokens") { version } }',
      { d: 'strategies:\n  static-token: { denyUsernames: [bob] }\nthrottle:\n  perSourceIp: { failures: 5, window: 1m, block: 1m }\n' },
    );
    expect(applyPolicy.version).toBe(2);
    await until('bob refused', async () => (await forwardAuth(instance('a'), bobToken)).reason === 'policy_denied', 10_000);
    // Events are batched off the request path: wait until the refusal is on the topic.
    let denied: DecisionEvent[] = [];
    await until('the refusal recorded', async () => (denied = (await decisionEvents()).filter((e) => e.data.reason === 'policy_denied')).length > 0, 10_000);
    expect(denied.every((e) => e.data.policy?.version === 2)).toBe(true);
    expect(denied[0].data.policy?.effects).toEqual([expect.objectContaining({ rule: 'strategies.static-token.denyUsernames', effect: 'deny' })]);
  });

  it('a brute-force run from one address is throttled with 429, and the throttling shows in failureStats', async () => {
    const attacker = '203.0.113.66';
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await forwardAuth(instance('a'), `guess-${i}`, attacker)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const retryAfter = (await fetch(`${instance('a').http.url}/v1/forward-auth`, { headers: { authorization: `Bearer ${adminToken}`, 'x-forwarded-for': attacker } })).headers.get('retry-after');
    expect(Number(retryAfter)).toBeGreaterThan(0);

    const since = new Date(Date.now() - 3_600_000).toISOString();
    await until(
      'throttling projected',
      async () => {
        const { failureStats } = await gql<{ failureStats: { key: string; count: number }[] }>('query($s: DateTime!) { failureStats(since: $s, groupBy: REASON) { key count } }', { s: since });
        return (failureStats.find((g) => g.key === 'throttled')?.count ?? 0) >= 4;
      },
      15_000,
    );
    const { failureStats } = await gql<{ failureStats: { key: string; count: number }[] }>('query($s: DateTime!) { failureStats(since: $s, groupBy: SOURCE_IP) { key count } }', { s: since });
    expect(failureStats).toContainEqual({ key: attacker, count: 9 });
  });

  it('everything the instances and graphql-api published verifies with the keys they serve (issue #21)', async () => {
    // One dataDir: every service of this run signs with the key generated at the first start.
    const keys = await (await fetch(`${instance('a').http.url}/v1/integrity/keys`)).text();
    expect(await (await fetch(`${graphql.url}/v1/integrity/keys`)).text()).toBe(keys);
    writeFileSync(path.join(dir, 'keys.json'), keys);
    const { io, stdout } = captureIo(dir);
    const code = await runCli(['verify', '--brokers', broker.brokers, '--jwks', 'keys.json', '--json'], io);
    const report = JSON.parse(stdout()) as VerificationReport;
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.unchained).toBe(0);
    // The revocation and the policy went in through GraphQL mutations: graphql-api's own chain.
    expect(report.chains.map((c) => c.instance)).toEqual(expect.arrayContaining(['a', 'b', expect.stringMatching(/^graphql-api@/)]));
  });
});
