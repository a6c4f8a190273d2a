// Issue #21 end to end: authn, as it runs, chains every event it publishes and signs checkpoints;
// two boots of one instance on a real Kafka broker (a private one, so the topics hold this
// test's chains only), then `authtrail verify` with the public keys authn serves proves all of
// it, and finds each edit an attacker could make to an export: a record rewritten, deleted,
// moved, or the tail cut off.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, startAuthn } from '@authtrail/authn';
import { loadConfig, type AuthtrailConfig } from '@authtrail/config';
import { createKafkaBus } from '@authtrail/event-bus';
import { DECISION_EVENT_TYPE, INTEGRITY_CHECKPOINT_EVENT_TYPE } from '@authtrail/events';
import type { VerificationReport } from '@authtrail/integrity';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { startKafkaBroker, type RunningKafkaBroker } from '@authtrail/testing';
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
