// `authtrail verify --input`: export files in a temp dir, written the way `authtrail export`
// writes them, from a chain made by the integrity library with real decision events.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatExportLine, loadSigningKey, loadVerificationKeys } from '@authtrail/integrity';
import { captureIo } from '../cli-test-io';
import { runCli } from '../run-cli';
import { CHAIN_BOOT as BOOT, chainedDecisions, type ChainedRecord } from '../testdata/chained-decisions.fixture';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const PUBLIC_PEM = publicKey.export({ format: 'pem', type: 'spki' }).toString();
const KEY = loadSigningKey({ id: 'k2026', key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });

type Line = ChainedRecord;

/** The file `authtrail export` would write for these records, offsets counted per partition. */
function exportFile(lines: readonly Line[]): Buffer {
  const offsets = new Map<string, number>();
  return Buffer.concat(
    lines.map((line) => {
      const key = `${line.topic}#${line.partition}`;
      const offset = offsets.get(key) ?? 0;
      offsets.set(key, offset + 1);
      return formatExportLine({ topic: line.topic, partition: line.partition, offset: String(offset), timestamp: '1765015200000', value: line.value });
    }),
  );
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function workDir(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-verify-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

async function verify(dir: string, args: readonly string[]) {
  const { io, stdout, stderr } = captureIo(dir);
  const code = await runCli(['verify', ...args], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

const LINES = chainedDecisions(KEY);
const CHAIN_ID = `authn-0/${BOOT}`;

describe('authtrail verify --input', () => {
  it('prints what a clean export proves and exits 0', async () => {
    const dir = workDir({ 'events.jsonl': exportFile(LINES), 'k2026.pem': PUBLIC_PEM });
    const result = await verify(dir, ['--input', 'events.jsonl', '--public-key', 'k2026=k2026.pem']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // 30 decisions + 3 checkpoints = 33 positions; the last checkpoint (33) covers 1-32.
    expect(result.stdout).toContain(`33 records: 33 chained in 1 chain, 0 unchained`);
    expect(result.stdout).toContain(`chain ${CHAIN_ID}: sequences 1-33 (33 events, 3 checkpoints, 0 redelivered), starts at genesis`);
    expect(result.stdout).toContain('proven: sequences 1-32 through checkpoint 33 (key k2026');
    expect(result.stdout).toContain('no findings');
  });

  it('names a deleted record (gap) and a swap within a partition (reordered), and exits 1', async () => {
    const deleted = LINES.filter((line) => line.sequence !== 5);
    const swapped = [...LINES];
    // Sequences 2 and 5 both sit on decisions partition 2: their lines (and so their offsets) are exchanged.
    const [i, j] = [swapped.findIndex((line) => line.sequence === 2), swapped.findIndex((line) => line.sequence === 5)];
    expect(swapped[i].partition).toBe(swapped[j].partition);
    [swapped[i], swapped[j]] = [swapped[j], swapped[i]];
    const dir = workDir({ 'deleted.jsonl': exportFile(deleted), 'swapped.jsonl': exportFile(swapped), 'k.pem': PUBLIC_PEM });

    const gap = await verify(dir, ['--input', 'deleted.jsonl', '--public-key', 'k2026=k.pem']);
    expect(gap.code).toBe(1);
    expect(gap.stderr).toBe('authtrail verify: 1 finding: 1 gap\n');
    expect(gap.stdout).toContain(`gap ${CHAIN_ID} #5: sequence 5 is missing`);
    expect(gap.stdout).toContain('proven: nothing');

    const reordered = await verify(dir, ['--input', 'swapped.jsonl', '--public-key', 'k2026=k.pem']);
    expect(reordered.code).toBe(1);
    expect(reordered.stderr).toBe('authtrail verify: 1 finding: 1 reordered\n');
    expect(reordered.stdout).toMatch(new RegExp(`reordered ${CHAIN_ID} #2: .*\\[authtrail\\.decisions\\.v1 partition 2 offset \\d+ line \\d+\\]`));
  });

  it('a line that is not JSON is a malformed_record finding naming the line, not a crash', async () => {
    const broken = '{"topic":"x","partition":0,"offs';
    const file = Buffer.concat([exportFile(LINES), Buffer.from(`${broken}\n`)]);
    const dir = workDir({ 'events.jsonl': file, 'k.pem': PUBLIC_PEM });
    const result = await verify(dir, ['--input', 'events.jsonl', '--public-key', 'k2026=k.pem']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`malformed_record (no chain): line ${LINES.length + 1} (${broken.length} bytes) is not JSON`);
  });

  it('reads a file of bare CloudEvents (a SIEM copy) without partition checks', async () => {
    const dir = workDir({ 'bare.jsonl': `${LINES.map((line) => line.value.toString()).join('\n')}\n`, 'k.pem': PUBLIC_PEM });
    const result = await verify(dir, ['--input', 'bare.jsonl', '--public-key', 'k2026=k.pem']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('through checkpoint 33');
  });

  it('takes the keys as a JWK Set, and prints the report as JSON with --json', async () => {
    const jwks = JSON.stringify(loadVerificationKeys([{ id: 'k2026', key: PUBLIC_PEM }]).toJwks());
    const dir = workDir({ 'events.jsonl': exportFile(LINES), 'keys.json': jwks });
    const result = await verify(dir, ['--input', 'events.jsonl', '--jwks', 'keys.json', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, records: 33, chains: [{ chainId: CHAIN_ID, verifiedThrough: { checkpointSequence: 33, toSequence: 32, keyId: 'k2026' } }], findings: [] });
  });

  it('checkpoints signed by a key it was not given are unknown_key', async () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const dir = workDir({ 'events.jsonl': exportFile(LINES), 'other.pem': other });
    const result = await verify(dir, ['--input', 'events.jsonl', '--public-key', 'k2025=other.pem']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('authtrail verify: 3 findings: 3 unknown_key\n');
  });

  it('an export that starts mid-chain passes with --partial and is a gap without it', async () => {
    const dir = workDir({ 'late.jsonl': exportFile(LINES.filter((line) => line.sequence > 11)), 'k.pem': PUBLIC_PEM });
    expect((await verify(dir, ['--input', 'late.jsonl', '--public-key', 'k2026=k.pem', '--partial'])).code).toBe(0);
    const strict = await verify(dir, ['--input', 'late.jsonl', '--public-key', 'k2026=k.pem']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain(`gap ${CHAIN_ID} #1-11: sequences 1-11 are missing`);
  });

  it.each([
    ['no keys', ['--input', 'events.jsonl'], 'give the public keys'],
    ['a key option without an id', ['--input', 'events.jsonl', '--public-key', 'k.pem'], '"k.pem" is not ID=FILE'],
    ['a key file that does not exist', ['--input', 'events.jsonl', '--public-key', 'k=missing.pem'], 'cannot read missing.pem (ENOENT)'],
    ['a file that is not a PEM key', ['--input', 'events.jsonl', '--public-key', 'k=events.jsonl'], 'key "k": not a readable PEM or JWK key'],
    ['a private key where a public one belongs', ['--input', 'events.jsonl', '--public-key', 'k=private.pem'], 'key "k": give the public key only'],
    ['a JWK Set file that is not JSON', ['--input', 'events.jsonl', '--jwks', 'k.pem'], '--jwks: k.pem is not JSON'],
    ['an input file that does not exist', ['--input', 'nope.jsonl', '--public-key', 'k=k.pem'], 'cannot read nope.jsonl (ENOENT)'],
    ['--input with --brokers', ['--input', 'events.jsonl', '--brokers', 'localhost:9092', '--public-key', 'k=k.pem'], '--brokers and --topic are for reading Kafka'],
  ])('refuses %s with a usage error (exit 2)', async (_name, args, message) => {
    const dir = workDir({ 'events.jsonl': exportFile(LINES), 'k.pem': PUBLIC_PEM, 'private.pem': privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
    const result = await verify(dir, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('PRIVATE KEY');
  });
});
