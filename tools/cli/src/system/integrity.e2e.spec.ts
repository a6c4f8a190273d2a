// Issue #21 end to end: authn, as it runs, chains every event it publishes and signs checkpoints;
// two boots of one instance on a real Kafka broker (a private one, so the topics hold this
// test's chains only), then `authtrail verify` with the public keys authn serves proves all of
// it, and finds each edit an attacker could make to an export: a record rewritten, deleted,
// moved, or the tail cut off. The projector finds the same edits made to a copy of the topics
// (and a forged or replayed checkpoint), and GraphQL `auditIntegrity` answers them.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, startAuthn } from '@authtrail/authn';
import { loadConfig, type AuthtrailConfig } from '@authtrail/config';
import { createKafkaBus, type ConsumedRecord } from '@authtrail/event-bus';
import { DECISION_EVENT_TYPE, INTEGRITY_CHECKPOINT_EVENT_TYPE, TOPICS } from '@authtrail/events';
import { buildGraphqlServer } from '@authtrail/graphql-api';
import { checkpointSigningInput, keyInputsOfJwks, loadVerificationKeys, type VerificationReport } from '@authtrail/integrity';
import { publisherDeadLetters, resolveProjectorConfig, startProjector } from '@authtrail/projector';
import { openReadModel, runMigrations } from '@authtrail/read-model';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { createTestDatabase, startKafkaBroker, waitFor, type RunningKafkaBroker } from '@authtrail/testing';
import { Kafka, logLevel } from 'kafkajs';
import { captureIo } from '../cli-test-io';
import { runCli } from '../run-cli';

const dir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-integrity-'));
const token = randomBytes(18).toString('base64url');
const INSTANCE = 'integrity-e2e';
const ignore = (): void => undefined;
const silentBusLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

let broker: RunningKafkaBroker;
let config: AuthtrailConfig;
const jwksPerBoot: string[] = [];

/** One boot of the instance: `requests` TokenReviews (every third with a wrong token), then a graceful stop. */
async function boot(requests: number): Promise<void> {
  const bus = createKafkaBus({ brokers: [broker.brokers], clientId: `integrity-e2e-${jwksPerBoot.length}`, mode: 'buffered', spoolDir: path.join(dir, 'spool'), logger: silentBusLogger });
  const authn = await startAuthn(config, { publisher: bus.publisher, subscriber: bus.subscriber, logger: createLogger('silent'), registry: { createStrategy } });
  try {
    for (let waited = 0; (await fetch(`${authn.http.url}/readyz`)).status !== 200; waited += 50) {
      if (waited > 30_000) throw new Error('authn not ready within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (let i = 0; i < requests; i++) {
      const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: i % 3 === 2 ? `${token}-wrong` : token } });
      const response = await fetch(`${authn.http.url}/apis/authentication.k8s.io/v1/tokenreviews`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(200);
    }
    const keys = await fetch(`${authn.http.url}/v1/integrity/keys`);
    expect(keys.status).toBe(200);
    jwksPerBoot.push(await keys.text());
  } finally {
    await authn.close();
    await bus.close();
  }
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, stdout, stderr } = captureIo(dir);
  const code = await runCli(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

async function verifyFile(file: string): Promise<{ code: number; report: VerificationReport }> {
  const { code, stdout } = await cli('verify', '--input', file, '--jwks', 'keys.json', '--json');
  return { code, report: JSON.parse(stdout) as VerificationReport };
}

interface ExportLine {
  readonly line: string;
  readonly partition: number;
  readonly event: { readonly type: string; readonly chainid: string; readonly chainseq: number };
}

/** The export's lines with what each holds; the value is read, the line kept verbatim. */
function exportLines(file: string): ExportLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parsed = JSON.parse(line) as { partition: number; value: ExportLine['event'] };
      return { line, partition: parsed.partition, event: parsed.value };
    });
}

const writeLines = (name: string, lines: readonly string[]) => writeFileSync(path.join(dir, name), lines.map((l) => `${l}\n`).join(''));

beforeAll(async () => {
  broker = await startKafkaBroker({ log: () => undefined });
  writeFileSync(path.join(dir, 'tokens.csv'), `${token},alice,1,"dev"\n`);
  writeFileSync(
    path.join(dir, 'authtrail.yaml'),
    [
      `dataDir: ${dir}/data`,
      'authn:',
      `  instance: ${INSTANCE}`,
      '  http: { port: 0, host: 127.0.0.1 }',
      '  strategies: [{ id: static-token, tokenFile: ./tokens.csv }]',
      `events: { kafka: { brokers: ["${broker.brokers}"] } }`,
      'integrity: { checkpointEvery: 5 }',
    ].join('\n'),
  );
  config = loadConfig({ argv: ['--config', path.join(dir, 'authtrail.yaml')], env: {}, validateStrategy: validateStrategyConfig });
  await boot(12);
  await boot(3);
  writeFileSync(path.join(dir, 'keys.json'), jwksPerBoot[1] ?? '');
}, 180_000);

afterAll(async () => {
  await broker?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('authtrail verify over what authn published', () => {
  it('both boots sign with the key generated at the first start and serve it', () => {
    expect(jwksPerBoot).toHaveLength(2);
    expect(jwksPerBoot[0]).toBe(jwksPerBoot[1]);
    const jwks = JSON.parse(jwksPerBoot[0] ?? '') as { keys: { kty: string; crv: string; x: string; d?: string }[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519' })]);
    expect(jwks.keys[0]?.d).toBeUndefined();
  });

  it('from Kafka: every event of both boots is present, linked and signed for, the second boot linked to the first', async () => {
    const { code, stdout } = await cli('verify', '--brokers', broker.brokers, '--jwks', 'keys.json', '--json');
    const report = JSON.parse(stdout) as VerificationReport;
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    expect(report.unchained).toBe(0);
    expect(report.chains).toHaveLength(2);
    const [first, second] = [...report.chains].sort((a, b) => a.boot.localeCompare(b.boot));
    for (const chain of [first, second]) {
      expect(chain?.instance).toBe(INSTANCE);
      // Everything up to the last record, the checkpoint written at stop, is signed for.
      expect(chain?.verifiedThrough?.checkpointSequence).toBe(chain?.lastSequence);
      expect(chain?.unanchoredTail).toBeNull();
    }
    expect(first?.anchor).toEqual({ kind: 'genesis' });
    expect(second?.anchor).toEqual({ kind: 'checkpoint', chainId: first?.chainId, sequence: first?.lastSequence });
  });

  it('an export verifies the same; each edit to it is found and named', async () => {
    expect((await cli('export', '--brokers', broker.brokers, '--output', 'all.jsonl')).code).toBe(0);
    const lines = exportLines(path.join(dir, 'all.jsonl'));
    const decisions = lines.filter((l) => l.event.type === DECISION_EVENT_TYPE);
    // Every request was one decision event.
    expect(decisions).toHaveLength(15);
    expect(lines.filter((l) => l.event.type === INTEGRITY_CHECKPOINT_EVENT_TYPE).length).toBeGreaterThanOrEqual(4);
    const clean = await verifyFile('all.jsonl');
    expect(clean.report.findings).toEqual([]);
    expect(clean.code).toBe(0);

    const target = decisions[4] as ExportLine;
    const others = lines.filter((l) => l !== target);
    const kindsAfter = async (name: string, edited: readonly string[]) => {
      writeLines(name, edited);
      const { code, report } = await verifyFile(name);
      expect(code).toBe(1);
      return report.findings.filter((f) => f.chainId === target.event.chainid).map((f) => f.kind);
    };

    // Rewritten: the user name in one decision, same length, everything else untouched.
    const rewritten = target.line.replace('"username":"alice"', '"username":"alicf"');
    expect(rewritten).not.toBe(target.line);
    expect(await kindsAfter('rewritten.jsonl', lines.map((l) => (l === target ? rewritten : l.line)))).toContain('broken_link');

    // Deleted: one decision gone.
    expect(await kindsAfter('deleted.jsonl', others.map((l) => l.line))).toContain('gap');

    // Swapped: two records of the chain exchange places within their partition.
    const samePartition = lines.filter((l) => l.partition === target.partition && l.event.chainid === target.event.chainid);
    const [a, b] = [samePartition[0] as ExportLine, samePartition[1] as ExportLine];
    expect(await kindsAfter('swapped.jsonl', lines.map((l) => (l === a ? b.line : l === b ? a.line : l.line)))).toContain('reordered');

    // Truncated: the decisions topic cut after the target; the checkpoints still cover what is gone.
    const cut = lines.filter((l) => l.event.type !== DECISION_EVENT_TYPE || decisions.indexOf(l) <= decisions.indexOf(target));
    expect(await kindsAfter('truncated.jsonl', cut.map((l) => l.line))).toContain('gap');
  });
});

// ---------------------------------------------------------------------------------------------
// The projector: the same edits made to a copy of the topics, each copy projected into a database
// of its own; the verdict read back through GraphQL `auditIntegrity`.

interface CopiedRecord {
  readonly partition: number;
  readonly key: string | null;
  readonly value: Buffer;
}

interface Trail {
  readonly decisions: CopiedRecord[];
  readonly control: CopiedRecord[];
}

interface Finding {
  readonly kind: string;
  readonly chainId: string | null;
  readonly sequence: string | null;
  readonly evidence: string;
}

interface Producer {
  readonly chainId: string;
  readonly boot: string;
  readonly lastSequence: string;
  readonly events: string;
  readonly waitingFor: string | null;
  readonly anchor: { readonly kind: string; readonly chainId: string | null; readonly sequence: string | null };
  readonly verifiedThrough: { readonly checkpointSequence: string; readonly keyId: string } | null;
  readonly findings: readonly Finding[];
}

interface AuditIntegrity {
  readonly ok: boolean;
  readonly producers: readonly Producer[];
  readonly unattributedFindings: readonly Finding[];
}

const AUDIT_INTEGRITY = `query($from: DateTime!, $to: DateTime!) { auditIntegrity(from: $from, to: $to) {
  ok
  producers { chainId boot lastSequence events waitingFor anchor { kind chainId sequence } verifiedThrough { checkpointSequence keyId } findings { kind chainId sequence evidence } }
  unattributedFindings { kind chainId sequence evidence }
} }`;

const GAP_GRACE_MS = 300;
let copies = 0;
let trailBus: ReturnType<typeof createKafkaBus>;
let trail: Trail;

const eventOf = (record: CopiedRecord) => JSON.parse(record.value.toString('utf8')) as { type: string; chainid: string; chainseq: number; data: Record<string, unknown> };

async function readTopic(topic: string): Promise<CopiedRecord[]> {
  const records: ConsumedRecord[] = [];
  await trailBus.subscriber.readToEnd(topic, (record) => void records.push(record));
  // Per partition in offset order: the order a copy must keep.
  return records
    .sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))
    .map((record) => ({ partition: record.partition, key: record.key, value: record.value as Buffer }));
}

interface ProjectedCopy {
  readonly audit: AuditIntegrity;
  readonly topics: { readonly decisions: string; readonly control: string };
  /** `decisions { id chain }` as GraphQL answers them. */
  readonly decisions: readonly { readonly id: string; readonly chain: { readonly id: string; readonly sequence: string; readonly previous: string } | null }[];
}

/** Writes `edited` to new topics (records to their partitions, in order, bytes unchanged), projects them with verification on, and answers `auditIntegrity`. */
/** The projector's verdict on a copy, and `authtrail verify`'s on the same copy's topics (finding kinds upper-cased like GraphQL's). */
async function projectCopy(edited: Trail): Promise<{ readonly audit: AuditIntegrity; readonly verify: { readonly code: number; readonly kinds: readonly string[] } }> {
  const { audit, topics } = await projectCopyWithDecisions(edited);
  const { code, stdout } = await cli('verify', '--brokers', broker.brokers, '--topic', topics.decisions, '--topic', topics.control, '--jwks', 'keys.json', '--json');
  const report = JSON.parse(stdout) as VerificationReport;
  return { audit, verify: { code, kinds: report.findings.map((f) => f.kind.toUpperCase()) } };
}

async function projectCopyWithDecisions(edited: Trail): Promise<ProjectedCopy> {
  copies += 1;
  const topics = { decisions: `copy-${copies}-decisions`, control: `copy-${copies}-control` };
  const partitions = (records: readonly CopiedRecord[]) => Math.max(1, ...records.map((r) => r.partition + 1));
  await trailBus.admin.ensureTopics({ [topics.decisions]: { partitions: partitions(edited.decisions) }, [topics.control]: { partitions: partitions(edited.control) }, [`copy-${copies}-dead`]: { partitions: 1 } });
  // Idempotent: a send retried while the new topic's leaders settle must not write a record twice.
  const producer = new Kafka({ brokers: [broker.brokers], clientId: `copy-${copies}`, logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const [topic, records] of [[topics.decisions, edited.decisions], [topics.control, edited.control]] as const) {
    await producer.send({ topic, acks: -1, messages: records.map((r) => ({ partition: r.partition, key: r.key, value: r.value })) });
  }
  await producer.disconnect();

  const databaseUrl = await createTestDatabase(`integrity_copy_${copies}`);
  await runMigrations(databaseUrl);
  const db = await openReadModel(databaseUrl, { poolSize: 4 });
  const keys = loadVerificationKeys(keyInputsOfJwks(JSON.parse(jwksPerBoot[1] ?? '')));
  const projector = await startProjector(resolveProjectorConfig({ groupId: `copy-${copies}`, topics: [topics.decisions, topics.control], deadLetterTopic: `copy-${copies}-dead` }), {
    db,
    subscriber: trailBus.subscriber,
    deadLetters: publisherDeadLetters(trailBus.publisher),
    integrity: { keys, gapGraceMs: GAP_GRACE_MS, endOffsets: (topic) => trailBus.endOffsets(topic) },
  });
  const api = await buildGraphqlServer({ dataSource: db, authenticator: null });
  const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data as T;
  };
  const ask = async (): Promise<AuditIntegrity> =>
    (await gql<{ auditIntegrity: AuditIntegrity }>(AUDIT_INTEGRITY, { from: '2000-01-01T00:00:00Z', to: new Date(Date.now() + 3_600_000).toISOString() })).auditIntegrity;
  try {
    const total = edited.decisions.length + edited.control.length;
    let progress = '';
    await waitFor('the projector to reach the end of the copy', async () => {
      const rows = await db.query<{ topic: string; partition: number; next_offset: string }[]>('SELECT topic, partition, next_offset::text FROM projector_checkpoint WHERE group_id = $1', [`copy-${copies}`]);
      progress = `${total} records; checkpoints ${JSON.stringify(rows)}`;
      return rows.reduce((n, row) => n + Number(row.next_offset), 0) === total ? true : undefined;
    }, { diagnostics: () => progress });
    // Then the verifier reads every link; what still waits (a missing position, a checkpoint copy
    // ending its partition) is decided after the grace: three passes a grace apart with nothing waiting.
    let quietPasses = 0;
    const audit = await waitFor('the verifier to settle on the copy', async () => {
      await projector.integrity?.pass();
      const answer = await ask();
      quietPasses = answer.producers.length > 0 && answer.producers.every((p) => p.waitingFor === null) ? quietPasses + 1 : 0;
      return quietPasses >= 3 ? answer : undefined;
    }, { timeoutMs: 30_000, intervalMs: GAP_GRACE_MS + 50 });
    const { decisions } = await gql<{ decisions: { edges: { node: ProjectedCopy['decisions'][number] }[] } }>('{ decisions(first: 500) { edges { node { id chain { id sequence previous } } } } }');
    return { audit, topics, decisions: decisions.edges.map((edge) => edge.node) };
  } finally {
    await api.close();
    await projector.stop();
    await db.destroy();
  }
}

const findingKinds = (answer: AuditIntegrity) => [...answer.producers.flatMap((p) => p.findings), ...answer.unattributedFindings].map((f) => f.kind);

describe('the projector verifies a copy of the topics as it projects it (auditIntegrity), and authtrail verify agrees', () => {
  beforeAll(async () => {
    trailBus = createKafkaBus({ brokers: [broker.brokers], clientId: 'integrity-e2e-copies', mode: 'strict', spoolDir: path.join(dir, 'copies-spool'), logger: silentBusLogger });
    // The private broker gave the decision topic one partition; a cluster's spreads a chain over
    // several: the copies deal the decisions over three, each partition keeping their order.
    const decisions = await readTopic(TOPICS.decisions);
    trail = { decisions: decisions.map((record, i) => ({ ...record, partition: i % 3 })), control: await readTopic(TOPICS.control) };
  }, 60_000);

  afterAll(async () => {
    await trailBus?.close();
  });

  it('an untouched copy: both boots verified to their last record, the second anchored to the first, no finding; each decision shows its chain position', async () => {
    const { audit: answer, decisions, topics } = await projectCopyWithDecisions(trail);
    const verified = await cli('verify', '--brokers', broker.brokers, '--topic', topics.decisions, '--topic', topics.control, '--jwks', 'keys.json', '--json');
    expect({ code: verified.code, findings: (JSON.parse(verified.stdout) as VerificationReport).findings }).toEqual({ code: 0, findings: [] });
    const sent = trail.decisions.map((record) => JSON.parse(record.value.toString('utf8')) as { id: string; chainid: string; chainseq: number; chainprev: string });
    expect([...decisions].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      sent.map((event) => ({ id: event.id, chain: { id: event.chainid, sequence: String(event.chainseq), previous: event.chainprev } })).sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(findingKinds(answer)).toEqual([]);
    expect(answer.ok).toBe(true);
    const [first, second] = [...answer.producers].sort((a, b) => a.boot.localeCompare(b.boot));
    expect(answer.producers).toHaveLength(2);
    // 12 and 3 requests, each one decision, plus the boots' status events and checkpoints.
    expect(Number(first?.events)).toBeGreaterThan(12);
    expect(Number(second?.events)).toBeGreaterThan(3);
    for (const producer of [first, second]) expect(producer?.verifiedThrough?.checkpointSequence).toBe(producer?.lastSequence);
    expect(first?.anchor.kind).toBe('GENESIS');
    expect(second?.anchor).toEqual({ kind: 'CHECKPOINT', chainId: first?.chainId, sequence: first?.lastSequence });
  }, 90_000);

  describe('each edit is found and named', () => {
    const decisionIndex = (records: readonly CopiedRecord[], n: number) => records.map((r, i) => [r, i] as const).filter(([r]) => eventOf(r).type === DECISION_EVENT_TYPE)[n]?.[1] as number;

    it('a decision rewritten: BROKEN_LINK at the record after it', async () => {
      const at = decisionIndex(trail.decisions, 4);
      const target = trail.decisions[at] as CopiedRecord;
      const rewritten = Buffer.from(target.value.toString('utf8').replace('"username":"alice"', '"username":"alicf"'));
      expect(rewritten.equals(target.value)).toBe(false);
      const { audit: answer, verify } = await projectCopy({ ...trail, decisions: trail.decisions.map((r, i) => (i === at ? { ...r, value: rewritten } : r)) });
      expect(findingKinds(answer)).toContain('BROKEN_LINK');
      expect(answer.ok).toBe(false);
      expect(verify).toEqual({ code: 1, kinds: expect.arrayContaining(['BROKEN_LINK']) });
    }, 90_000);

    it('a decision deleted: GAP at its sequence', async () => {
      const at = decisionIndex(trail.decisions, 4);
      const gone = eventOf(trail.decisions[at] as CopiedRecord);
      const { audit: answer, verify } = await projectCopy({ ...trail, decisions: trail.decisions.filter((_, i) => i !== at) });
      expect(answer.producers.flatMap((p) => p.findings)).toContainEqual(expect.objectContaining({ kind: 'GAP', chainId: gone.chainid, sequence: String(gone.chainseq) }));
      expect(verify).toEqual({ code: 1, kinds: expect.arrayContaining(['GAP']) });
    }, 90_000);

    it('two records of a chain swapped within their partition: REORDERED', async () => {
      const byPartition = trail.decisions.map((r, i) => [r, i] as const).filter(([r]) => r.partition === trail.decisions[decisionIndex(trail.decisions, 0)]?.partition);
      const [[a, ai], [b, bi]] = byPartition.filter(([r]) => eventOf(r).chainid === eventOf(byPartition[0]?.[0] as CopiedRecord).chainid) as [CopiedRecord, number][];
      const { audit: answer, verify } = await projectCopy({ ...trail, decisions: trail.decisions.map((r, i) => (i === ai ? { ...r, value: b.value } : i === bi ? { ...r, value: a.value } : r)) });
      expect(findingKinds(answer)).toContain('REORDERED');
      expect(verify).toEqual({ code: 1, kinds: expect.arrayContaining(['REORDERED']) });
    }, 90_000);

    it('the decisions topic cut after one record, the checkpoints kept: GAP that names the checkpoint covering it', async () => {
      const cutAt = decisionIndex(trail.decisions, 4);
      const cutPartition = (trail.decisions[cutAt] as CopiedRecord).partition;
      const kept = trail.decisions.filter((r, i) => r.partition !== cutPartition || i <= cutAt);
      const { audit: answer, verify } = await projectCopy({ ...trail, decisions: kept });
      expect(answer.producers.flatMap((p) => p.findings)).toContainEqual(expect.objectContaining({ kind: 'GAP', evidence: expect.stringContaining('covers them (truncation)') }));
      expect(verify).toEqual({ code: 1, kinds: expect.arrayContaining(['GAP']) });
    }, 90_000);

    it('a checkpoint re-signed with another key: BAD_SIGNATURE under the real key id, UNKNOWN_KEY under its own', async () => {
      const at = trail.control.findIndex((r) => eventOf(r).type === INTEGRITY_CHECKPOINT_EVENT_TYPE);
      const original = eventOf(trail.control[at] as CopiedRecord);
      const mallory = generateKeyPairSync('ed25519').privateKey;
      const forged = (keyId: string) => {
        const event = { ...original, data: { ...original.data, keyId } };
        const signature = sign(null, checkpointSigningInput(event), mallory).toString('base64url');
        return Buffer.from(JSON.stringify({ ...event, data: { ...event.data, signature } }));
      };
      for (const [keyId, kind] of [[String(original.data['keyId']), 'BAD_SIGNATURE'], ['mallory', 'UNKNOWN_KEY']] as const) {
        const { audit: answer, verify } = await projectCopy({ ...trail, control: trail.control.map((r, i) => (i === at ? { ...r, value: forged(keyId) } : r)) });
        expect(findingKinds(answer)).toContain(kind);
        expect(verify).toEqual({ code: 1, kinds: expect.arrayContaining([kind]) });
      }
    }, 120_000);

    it('an old checkpoint appended again after newer ones: REPLAYED_CHECKPOINT', async () => {
      const old = trail.control.find((r) => eventOf(r).type === INTEGRITY_CHECKPOINT_EVENT_TYPE) as CopiedRecord;
      const { audit: answer, verify } = await projectCopy({ ...trail, control: [...trail.control, old] });
      expect(answer.producers.flatMap((p) => p.findings)).toContainEqual(expect.objectContaining({ kind: 'REPLAYED_CHECKPOINT', sequence: String(eventOf(old).chainseq) }));
      expect(verify).toEqual({ code: 1, kinds: expect.arrayContaining(['REPLAYED_CHECKPOINT']) });
    }, 90_000);
  });
});
