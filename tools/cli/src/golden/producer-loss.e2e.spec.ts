// Gaps tell the truth across restarts (issue #14, item 4), with every part its own process as
// deployed: authn (standalone, disk spool disabled: `events.spoolMaxBytes: 0`) → a private Kafka
// broker → the projector → Postgres → graphql-api.
//   1. K decisions are projected; the broker is frozen (SIGSTOP) and M more are made (the first
//      one's batch is already on the wire, the rest wait in authn's memory); authn is SIGKILLed;
//      the broker resumes; authn restarts with the same instance and dataDir. `auditHealth` must
//      show the first boot with lastSequence K+M, received = what really reached the topic
//      (counted by reading it), missing = exactly the rest (state LOST, from the sequence ledger
//      the killed boot left), the second boot with none missing, and no dropped events.
//   2. authn with a one-record memory buffer and no spool drops events while the broker is frozen:
//      that boot's `dropped` and the total `droppedEvents` equal authn's own drop counter
//      (`authtrail_events_dropped_total` on its /metrics).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, freePort, readKafkaTopics, spawnService, startKafkaBroker, waitFor as waitUntil, type RunningKafkaBroker, type SpawnedService } from '@authtrail/testing';

const ROOT = resolve(__dirname, '../../../..');
const INSTANCE = `loss-${randomBytes(3).toString('hex')}`;
const secret = () => randomBytes(18).toString('base64url');
const ALICE = secret();
const ADMIN = secret();

let dir: string;
let broker: RunningKafkaBroker;
let databaseUrl: string;
let authnUrl: string;
let graphqlUrl: string;
let authnPort: number;
let graphqlPort: number;
let frozen = false;
const services: SpawnedService[] = [];
let authn: SpawnedService | undefined;


/** Freezes / resumes the broker process: requests in flight neither fail nor complete. */
function freeze(on: boolean): void {
  process.kill(broker.pid, on ? 'SIGSTOP' : 'SIGCONT');
  frozen = on;
}

function writeConfig(name: string, events: Record<string, unknown>): string {
  const file = join(dir, name);
  const config = {
    dataDir: join(dir, 'data'),
    authn: {
      instance: INSTANCE,
      http: { port: authnPort, host: '127.0.0.1' },
      cache: { successTTL: '0s', failureTTL: '0s' },
      strategies: [{ id: 'static-token', tokenFile: join(dir, 'tokens.csv') }],
    },
    // No spool; heartbeats rare, so only decision events are published while the broker is frozen.
    events: { kafka: { brokers: [broker.brokers] }, mode: 'buffered', spoolMaxBytes: 0, heartbeatInterval: '1h', ...events },
    database: { url: databaseUrl },
    graphql: { port: graphqlPort, host: '127.0.0.1', adminGroups: ['authtrail:admins'] },
    fingerprint: { keys: [{ id: 'loss', secret: randomBytes(32).toString('base64') }] },
    log: { level: 'info' },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const env = () => ({ KAFKA_BROKERS: broker.brokers, DATABASE_URL: databaseUrl, AUTHTRAIL_CONFIG: '', AUTHTRAIL_LOG_LEVEL: 'info' });

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> =>
  waitUntil(what, probe, { timeoutMs, diagnostics: () => services.map((s) => `--- ${s.name}\n${s.output().slice(-2500)}`).join('\n') });

async function startAuthn(configFile: string): Promise<SpawnedService> {
  const started = spawnService({ name: `authn #${services.length}`, root: ROOT, script: 'services/authn/src/main.ts', args: ['--config', configFile], env: env() });
  services.push(started);
  await waitFor('authn ready', async () => ((await fetch(`${authnUrl}/readyz`)).ok ? true : undefined), 90_000);
  return started;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authtrail-loss-'));
  chmodSync(dir, 0o755);
  [broker, databaseUrl, authnPort, graphqlPort] = await Promise.all([startKafkaBroker({ log: () => undefined }), createTestDatabase('producer_loss'), freePort(), freePort()]);
  authnUrl = `http://127.0.0.1:${authnPort}`;
  graphqlUrl = `http://127.0.0.1:${graphqlPort}/graphql`;
  writeFileSync(join(dir, 'tokens.csv'), `${ALICE},alice,uid-alice,"dev"\n${ADMIN},ada,uid-ada,"authtrail:admins"\n`);
  const config = writeConfig('base.yaml', {});
  services.push(spawnService({ name: 'projector', root: ROOT, script: 'services/projector/src/main.ts', args: ['run', '--config', config], env: { ...env(), PROJECTOR_GROUP_ID: `loss-${INSTANCE}` } }));
  services.push(spawnService({ name: 'graphql-api', root: ROOT, script: 'services/graphql-api/src/main.ts', args: ['--config', config], env: env() }));
  await waitFor('graphql-api ready', async () => ((await fetch(graphqlUrl.replace('/graphql', '/readyz'))).ok ? true : undefined), 120_000);
}, 240_000);

afterAll(async () => {
  if (frozen) freeze(false);
  await Promise.all(services.map((s) => s.stop(15_000)));
  await broker?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** One forward-auth request with alice's token; returns its decision id. */
async function decide(): Promise<string> {
  const response = await fetch(`${authnUrl}/v1/forward-auth`, { headers: { authorization: `Bearer ${ALICE}` } });
  expect(response.status).toBe(200);
  const id = response.headers.get('x-authtrail-decision-id');
  if (!id) throw new Error('no decision id');
  return id;
}

async function gql<T>(query: string): Promise<T> {
  const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 1500));
  return body.data as T;
}

/** Waits until every id is projected; returns each decision's boot. */
async function projectedBoots(ids: readonly string[]): Promise<string[]> {
  const query = `{ ${ids.map((id, i) => `d${i}: decision(id: ${JSON.stringify(id)}) { boot }`).join(' ')} }`;
  return waitFor(`${ids.length} decisions projected`, async () => {
    const data = await gql<Record<string, { boot: string } | null>>(query);
    const boots = ids.map((_id, i) => data[`d${i}`]?.boot);
    return boots.every((b) => typeof b === 'string') ? (boots as string[]) : undefined;
  });
}

interface Producer {
  instance: string;
  boot: string | null;
  lastSequence: string;
  received: number;
  missing: number;
  dropped: number;
  state: string | null;
}
interface Health {
  sequenceGaps: number;
  droppedEvents: number;
  producers: Producer[];
}

const health = () => gql<{ auditHealth: Health }>('{ auditHealth { sequenceGaps droppedEvents producers { instance boot lastSequence received missing dropped state } } }').then((d) => d.auditHealth);
const boots = (h: Health) => new Map(h.producers.filter((p) => p.instance === INSTANCE).map((p) => [p.boot, p]));
const times = async (n: number) => {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) ids.push(await decide());
  return ids;
};

/** Distinct decision events of `boot` on the decision topic. */
async function deliveredOf(boot: string): Promise<number> {
  const records = await readKafkaTopics([broker.brokers], ['authtrail.decisions.v1']);
  const ids = new Set<string>();
  for (const record of records) {
    const event = JSON.parse(record.value?.toString('utf8') ?? '{}') as { id?: string; data?: { boot?: string } };
    if (event.data?.boot === boot && event.id) ids.add(event.id);
  }
  return ids.size;
}

const K = 4;
const M = 3;
const N = 2;
let firstBoot: string;
let secondBoot: string;

describe('auditHealth tells the truth about lost and dropped decision events, per boot', () => {
  it('a SIGKILL with decisions in flight shows exactly the lost ones missing for that boot, and none for the next', async () => {
    authn = await startAuthn(writeConfig('authn.yaml', {}));
    const projected = await projectedBoots(await times(K));
    firstBoot = projected[0]!;
    expect(new Set(projected)).toEqual(new Set([firstBoot]));

    freeze(true);
    // Answered at once (buffered mode). The first one's batch goes out on the socket and waits in
    // the frozen broker's receive buffer (it is appended once the broker resumes); the others
    // wait in authn's memory and die with it.
    await times(1);
    await new Promise((r) => setTimeout(r, 300));
    await times(M - 1);
    await authn.kill();
    freeze(false);

    authn = await startAuthn(writeConfig('authn.yaml', {}));
    const after = await projectedBoots(await times(N));
    secondBoot = after[0]!;
    expect(secondBoot).not.toBe(firstBoot);

    // Ground truth, independent of the read model: the first boot's events that reached Kafka.
    const delivered = await deliveredOf(firstBoot);
    expect(delivered).toBeGreaterThanOrEqual(K);
    expect(delivered).toBeLessThan(K + M);
    const lost = K + M - delivered;

    // The next boot reports the killed one as lost, from the ledger it left under dataDir.
    const final = await waitFor('the lost boot reported', async () => {
      const h = await health();
      const reported = boots(h).get(firstBoot);
      return reported?.state === 'LOST' && reported.received === delivered ? h : undefined;
    });
    const byBoot = boots(final);
    expect(byBoot.get(firstBoot)).toMatchObject({ lastSequence: String(K + M), received: delivered, missing: lost, dropped: 0, state: 'LOST' });
    expect(byBoot.get(secondBoot)).toMatchObject({ received: N, missing: 0, dropped: 0 });
    expect({ sequenceGaps: final.sequenceGaps, droppedEvents: final.droppedEvents }).toEqual({ sequenceGaps: lost, droppedEvents: 0 });
    expect(await authn.stop()).toBe(0);
  }, 240_000);

  it('a boot that drops events itself (one-record buffer, no spool, broker frozen) shows exactly its own drop count', async () => {
    await authn?.stop(); // a failed first case may have left it running on the port
    const earlier = new Set(boots(await health()).keys());
    authn = await startAuthn(writeConfig('tiny-buffer.yaml', { bufferSize: 1 }));
    // Its start announcement (`running`) must be acknowledged first: with a one-record buffer, a
    // decision published while the announcement is still queued would itself be dropped.
    const announced = await waitFor('the new boot announced', async () => [...boots(await health())].find(([boot, p]) => !earlier.has(boot) && p.state === 'RUNNING')?.[0] ?? undefined);
    const [thirdBoot] = await projectedBoots(await times(1));
    expect(thirdBoot).toBe(announced);
    freeze(true);
    await times(8);
    freeze(false);
    // Until the publisher has delivered what it kept, the one-record buffer is full and the next
    // decision would be dropped too: wait for it to drain, then read the drop count.
    const metric = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text)?.[1]);
    const metrics = await waitFor('the publisher drained', async () => {
      const text = await (await fetch(`${authnUrl}/metrics`)).text();
      return metric(text, 'authtrail_events_buffered') === 0 && metric(text, 'authtrail_events_spooled') === 0 ? text : undefined;
    });
    const dropped = metric(metrics, 'authtrail_events_dropped_total');
    expect(dropped).toBeGreaterThan(0);
    // The next decision carries the boot's drop count to the read model.
    await projectedBoots(await times(1));

    const final = await waitFor('the drops reported', async () => {
      const h = await health();
      return boots(h).get(thirdBoot!)?.dropped === dropped ? h : undefined;
    });
    expect(boots(final).get(thirdBoot!)).toMatchObject({ dropped, missing: dropped });
    // The earlier boots dropped nothing themselves: the total is this boot's count.
    expect(final.droppedEvents).toBe(dropped);
    expect(await authn.stop()).toBe(0);
  }, 180_000);
});
