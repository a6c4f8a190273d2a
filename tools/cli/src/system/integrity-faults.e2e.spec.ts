// Issue #21 item 5, the other half: no false finding under the faults authtrail already survives.
// authn runs as deployed (its own process, disk spool on) against a private Kafka broker:
//   1. the broker stops while authn keeps deciding (events spooled) and comes back (spool sent);
//   2. authn is SIGKILLed mid-stream and restarted on the same dataDir (its spool is sent by
//      the new boot, which links to the last checkpoint the killed one recorded);
//   3. the signing key is rotated: a new key file, the old public key kept in
//      `integrity.verificationKeysFile`.
// Then `authtrail verify` reads the topics with the keys the last boot serves: no finding, the
// three boots one history. A projector (its own process, verifying with the public keys) runs
// through all of it and is SIGKILLed too, restarted with the rotated key added: GraphQL
// `auditIntegrity` over its read model finds nothing either and proves the same chains.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildGraphqlServer } from '@authtrail/graphql-api';
import type { VerificationReport } from '@authtrail/integrity';
import { openReadModel } from '@authtrail/read-model';
import { createTestDatabase, freePort, spawnService, startKafkaBroker, waitFor as waitUntil, type RunningKafkaBroker, type SpawnedService } from '@authtrail/testing';
import { captureIo } from '../cli-test-io';
import { runCli } from '../run-cli';

const ROOT = resolve(__dirname, '../../../..');
const INSTANCE = `faults-${randomBytes(3).toString('hex')}`;
const TOKEN = randomBytes(18).toString('base64url');

let dir: string;
let broker: RunningKafkaBroker;
let authnPort: number;
let authnUrl: string;
const services: SpawnedService[] = [];

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> =>
  waitUntil(what, probe, { timeoutMs, diagnostics: () => services.map((s) => `--- ${s.name}\n${s.output().slice(-2500)}`).join('\n') });

function writeConfig(name: string, integrity: Record<string, unknown>): string {
  const file = join(dir, name);
  const config = {
    dataDir: join(dir, 'data'),
    authn: { instance: INSTANCE, http: { port: authnPort, host: '127.0.0.1' }, strategies: [{ id: 'static-token', tokenFile: join(dir, 'tokens.csv') }] },
    events: { kafka: { brokers: [broker.brokers] }, mode: 'buffered', heartbeatInterval: '1h' },
    integrity: { checkpointEvery: 7, ...integrity },
    log: { level: 'info' },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

async function startAuthn(configFile: string): Promise<SpawnedService> {
  const started = spawnService({ name: `authn #${services.length}`, root: ROOT, script: 'services/authn/src/main.ts', args: ['--config', configFile], env: { AUTHTRAIL_CONFIG: '', KAFKA_BROKERS: broker.brokers } });
  services.push(started);
  await waitFor('authn ready', async () => ((await fetch(`${authnUrl}/readyz`).catch(() => undefined))?.ok ? true : undefined), 90_000);
  return started;
}

/** A projector process verifying the chains with the public keys of `keysFile`. */
function startProjector(databaseUrl: string, keysFile: string): SpawnedService {
  const file = join(dir, `projector-${services.length}.json`);
  const config = {
    dataDir: join(dir, 'projector-data'),
    events: { kafka: { brokers: [broker.brokers] } },
    database: { url: databaseUrl },
    projector: { groupId: 'faults-projector' },
    integrity: { verificationKeysFile: keysFile, gapGrace: '1s' },
    log: { level: 'info' },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  const started = spawnService({ name: `projector #${services.length}`, root: ROOT, script: 'services/projector/src/main.ts', args: ['run', '--config', file], env: { AUTHTRAIL_CONFIG: '', KAFKA_BROKERS: broker.brokers, DATABASE_URL: databaseUrl } });
  services.push(started);
  return started;
}

const publicJwks = (entries: readonly [string, ReturnType<typeof generateKeyPairSync>['publicKey']][]) => JSON.stringify({ keys: entries.map(([kid, key]) => ({ ...key.export({ format: 'jwk' }), kid })) });

async function decide(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${authnUrl}/v1/forward-auth`, { headers: { authorization: `Bearer ${i % 4 === 3 ? 'wrong' : TOKEN}` } });
    expect([200, 401]).toContain(response.status);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authtrail-integrity-faults-'));
  chmodSync(dir, 0o755);
  [broker, authnPort] = await Promise.all([startKafkaBroker({ log: () => undefined }), freePort()]);
  authnUrl = `http://127.0.0.1:${authnPort}`;
  writeFileSync(join(dir, 'tokens.csv'), `${TOKEN},alice,uid-alice,"dev"\n`);
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop(15_000)));
  await broker?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

it('a broker outage, a SIGKILL and a key rotation leave a trail that verifies with no finding', async () => {
  const oldKey = generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'old.pem'), oldKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'projector-keys.json'), publicJwks([['old', oldKey.publicKey]]));
  const databaseUrl = await createTestDatabase('integrity_faults');
  const firstProjector = startProjector(databaseUrl, join(dir, 'projector-keys.json'));
  await firstProjector.waitForOutput('projector ready');
  const first = await startAuthn(writeConfig('old-key.yaml', { signingKeyFile: join(dir, 'old.pem'), keyId: 'old' }));

  // 1. The broker goes away and comes back; authn spools meanwhile.
  await decide(10);
  await broker.stop();
  await decide(15);
  broker = await startKafkaBroker({ dataDir: broker.dataDir, port: broker.port, controllerPort: broker.controllerPort, log: () => undefined });
  await decide(10);

  // 2. SIGKILL mid-stream, restart on the same dataDir.
  await first.kill();
  const second = await startAuthn(writeConfig('old-key-again.yaml', { signingKeyFile: join(dir, 'old.pem'), keyId: 'old' }));
  const projecting = decide(10);
  // The projector is SIGKILLed while decisions flow; it restarts after the rotation, with the new key.
  await firstProjector.kill();
  await projecting;
  expect(await second.stop(30_000)).toBe(0);

  // 3. Key rotation: a new signing key, the old public key still served for the older checkpoints.
  const newKey = generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'new.pem'), newKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'earlier-keys.json'), JSON.stringify({ keys: [{ ...oldKey.publicKey.export({ format: 'jwk' }), kid: 'old' }] }));
  const third = await startAuthn(writeConfig('new-key.yaml', { signingKeyFile: join(dir, 'new.pem'), keyId: 'new', verificationKeysFile: join(dir, 'earlier-keys.json') }));
  await decide(10);
  const served = await (await fetch(`${authnUrl}/v1/integrity/keys`)).text();
  expect((JSON.parse(served) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort()).toEqual(['new', 'old']);
  writeFileSync(join(dir, 'keys.json'), served);
  expect(await third.stop(30_000)).toBe(0);
  writeFileSync(join(dir, 'projector-keys.json'), publicJwks([['old', oldKey.publicKey], ['new', newKey.publicKey]]));
  const secondProjector = startProjector(databaseUrl, join(dir, 'projector-keys.json'));

  const { io, stdout, stderr } = captureIo(dir);
  const code = await runCli(['verify', '--brokers', broker.brokers, '--jwks', 'keys.json', '--json'], io);
  const report = JSON.parse(stdout()) as VerificationReport;
  expect({ findings: report.findings, stderr: stderr() }).toEqual({ findings: [], stderr: expect.any(String) });
  expect(code).toBe(0);
  const chains = report.chains.filter((c) => c.instance === INSTANCE);
  expect(chains).toHaveLength(3);
  // The two boots that stopped cleanly are signed for to their last record.
  const [, clean, rotated] = [...chains].sort((a, b) => a.boot.localeCompare(b.boot));
  for (const chain of [clean, rotated]) expect(chain?.verifiedThrough?.checkpointSequence).toBe(chain?.lastSequence);
  expect(rotated?.verifiedThrough?.keyId).toBe('new');
  expect(clean?.verifiedThrough?.keyId).toBe('old');
  expect(rotated?.anchor).toEqual({ kind: 'checkpoint', chainId: clean?.chainId, sequence: clean?.lastSequence });

  // The projector proves the same: every chain of `authtrail verify`, the same positions, no finding.
  const db = await openReadModel(databaseUrl, { poolSize: 2 });
  const api = await buildGraphqlServer({ dataSource: db, authenticator: null });
  try {
    const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
    const query = `query($to: DateTime!) { auditIntegrity(from: "2000-01-01T00:00:00Z", to: $to) {
      ok unattributedFindings { kind evidence }
      producers { chainId lastSequence events waitingFor anchor { kind chainId sequence } verifiedThrough { checkpointSequence keyId } findings { kind evidence } } } }`;
    type Answer = { ok: boolean; unattributedFindings: unknown[]; producers: { chainId: string; lastSequence: string; events: string; waitingFor: string | null; anchor: { kind: string; chainId: string | null; sequence: string | null }; verifiedThrough: { checkpointSequence: string; keyId: string } | null; findings: unknown[] }[] };
    const expected = new Map(chains.map((c) => [c.chainId, c]));
    let last = '';
    const answer = await waitUntil('the projector to have verified every chain verify reported', async () => {
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { to: new Date(Date.now() + 3_600_000).toISOString() } }) });
      const result = ((await response.json()) as { data?: { auditIntegrity: Answer } }).data?.auditIntegrity;
      last = JSON.stringify(result);
      const mine = result?.producers.filter((p) => expected.has(p.chainId)) ?? [];
      const caughtUp = mine.length === expected.size && mine.every((p) => p.waitingFor === null && p.lastSequence === String(expected.get(p.chainId)?.lastSequence));
      return caughtUp ? { ...(result as Answer), producers: mine } : undefined;
    }, { timeoutMs: 120_000, diagnostics: () => `verify: ${JSON.stringify(chains)}\nauditIntegrity: ${last}\n${services.map((x) => `--- ${x.name}\n${x.output().slice(-2500)}`).join('\n')}` });
    expect({ findings: answer.producers.flatMap((p) => p.findings), unattributed: answer.unattributedFindings }).toEqual({ findings: [], unattributed: [] });
    expect(answer.ok).toBe(true);
    for (const producer of answer.producers) {
      const proven = expected.get(producer.chainId);
      expect(producer.events).toBe(String(proven?.events));
      expect(producer.verifiedThrough?.checkpointSequence ?? null).toBe(proven?.verifiedThrough ? String(proven.verifiedThrough.checkpointSequence) : null);
      expect(producer.verifiedThrough?.keyId ?? null).toBe(proven?.verifiedThrough?.keyId ?? null);
    }
    expect(answer.producers.find((p) => p.chainId === rotated?.chainId)?.anchor).toEqual({ kind: 'CHECKPOINT', chainId: clean?.chainId, sequence: String(clean?.lastSequence) });
  } finally {
    await api.close();
    await db.destroy();
    expect(await secondProjector.stop(30_000)).toBe(0);
  }
}, 420_000);
