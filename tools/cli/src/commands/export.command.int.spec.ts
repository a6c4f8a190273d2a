// `authtrail export` and `authtrail verify --brokers` against the real broker of the jest
// harness: a chain made by the integrity library with real decision events is published to
// topics of this file's own, exported byte for byte, verified from the file and from Kafka.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { loadSigningKey, parseExportLine } from '@authtrail/integrity';
import { testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { captureIo } from '../cli-test-io';
import { runCli } from '../run-cli';
import { CHAIN_BOOT as BOOT, chainedDecisions, type ChainedRecord } from '../testdata/chained-decisions.fixture';

jest.setTimeout(120_000);

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const KEY = loadSigningKey({ id: 'k2026', key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
const DECISIONS = uniqueTopic('export-decisions');
const CONTROL = uniqueTopic('export-control');
const OLD = Date.parse('2026-12-01T00:00:00.000Z');
const NEW = Date.parse('2026-12-06T00:00:00.000Z');

interface Published extends ChainedRecord {
  readonly timestamp: number;
}

/** The chain on this file's topics; the first 11 positions carry an old Kafka timestamp. */
function chainRecords(): Published[] {
  return chainedDecisions(KEY, { decisions: DECISIONS, control: CONTROL }).map((record) => ({ ...record, timestamp: (record.sequence <= 11 ? OLD : NEW) + record.sequence }));
}

const RECORDS = chainRecords();
const CHAIN_ID = `authn-0/${BOOT}`;
const BROKERS = () => testKafkaBrokers().join(',');
let producer: Producer;
let dir: string;

async function publish(records: readonly Published[]): Promise<void> {
  // One send per record, in chain order: the order of each partition is the order of the chain.
  for (const record of records) await producer.send({ topic: record.topic, acks: -1, messages: [{ partition: record.partition, key: 'k', value: record.value, timestamp: String(record.timestamp) }] });
}

async function cli(args: readonly string[]) {
  const { io, stdout, stderr } = captureIo(dir);
  const code = await runCli(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-export-'));
  writeFileSync(path.join(dir, 'k2026.pem'), publicKey.export({ format: 'pem', type: 'spki' }).toString());
  const kafka = testKafka('authtrail-export-spec');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: DECISIONS, numPartitions: 3 }, { topic: CONTROL, numPartitions: 1 }] });
  await admin.disconnect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await publish(RECORDS);
});

afterAll(async () => {
  await producer?.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const topicArgs = ['--topic', DECISIONS, '--topic', CONTROL];
const keyArgs = ['--public-key', 'k2026=k2026.pem'];

describe('authtrail export and verify on Kafka', () => {
  it('export writes every record value byte for byte with its partition and offset', async () => {
    const result = await cli(['export', '--brokers', BROKERS(), ...topicArgs, '--output', 'all.jsonl']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`exported ${RECORDS.length} records from ${DECISIONS}, ${CONTROL} to all.jsonl`);
    const lines = readFileSync(path.join(dir, 'all.jsonl')).toString('latin1').split('\n').filter((line) => line !== '').map((line, i) => parseExportLine(Buffer.from(line, 'latin1'), i + 1));
    expect(lines).toHaveLength(RECORDS.length);
    for (const record of RECORDS) {
      const offset = RECORDS.filter((other) => other.topic === record.topic && other.partition === record.partition).indexOf(record);
      const line = lines.find((read) => read.ok && read.location.topic === record.topic && read.location.partition === record.partition && read.location.offset === String(offset));
      expect(line?.ok && line.value.equals(record.value)).toBe(true);
    }
  });

  it('verify proves the exported file and the live topics alike', async () => {
    const fromFile = await cli(['verify', '--input', 'all.jsonl', ...keyArgs]);
    expect(fromFile.code).toBe(0);
    const fromKafka = await cli(['verify', '--brokers', BROKERS(), ...topicArgs, ...keyArgs]);
    expect(fromKafka.stderr).toBe('');
    expect(fromKafka.code).toBe(0);
    expect(fromKafka.stdout).toContain(`chain ${CHAIN_ID}: sequences 1-33 (33 events, 3 checkpoints, 0 redelivered)`);
    expect(fromKafka.stdout).toContain('proven: sequences 1-32 through checkpoint 33');
  });

  it('export --since keeps the records from that time on, and says to verify them with --partial', async () => {
    const result = await cli(['export', '--brokers', BROKERS(), ...topicArgs, '--since', new Date(NEW).toISOString(), '--output', 'late.jsonl']);
    expect(result.code).toBe(0);
    const late = RECORDS.filter((record) => record.timestamp >= NEW);
    expect(result.stderr).toContain(`exported ${late.length} records`);
    expect(result.stderr).toContain(`skipped: ${RECORDS.length - late.length} outside the time range`);
    expect(result.stderr).toContain('verify it with --partial');
    expect((await cli(['verify', '--input', 'late.jsonl', '--partial', ...keyArgs])).code).toBe(0);
  });

  it('a byte-identical copy on Kafka is redelivered; a different record at a taken position is named and fails verify', async () => {
    const third = RECORDS.find((record) => record.sequence === 3) as Published;
    await publish([third]);
    const redelivered = await cli(['verify', '--brokers', BROKERS(), ...topicArgs, ...keyArgs]);
    expect(redelivered.code).toBe(0);
    expect(redelivered.stdout).toContain('1 redelivered (byte-identical copies)');

    const forged = { ...third, value: Buffer.from(third.value.toString().replace('"decision":"allow"', '"decision":"deny"')) };
    await publish([forged]);
    const caught = await cli(['verify', '--brokers', BROKERS(), ...topicArgs, ...keyArgs]);
    expect(caught.code).toBe(1);
    expect(caught.stderr).toBe('authtrail verify: 1 finding: 1 conflicting_record\n');
    expect(caught.stdout).toMatch(new RegExp(`conflicting_record ${CHAIN_ID} #3: .*\\[${DECISIONS.replace(/\./g, '\\.')} partition 0 offset \\d+\\]`));
  });

  it('fails with a named error when Kafka does not answer in time', async () => {
    const result = await cli(['export', '--brokers', '127.0.0.1:1', '--topic', DECISIONS, '--output', 'none.jsonl', '--timeout', '2s']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('authtrail export: the topics were not read within 2 s (is Kafka at 127.0.0.1:1 reachable?)');
  });

  it.each([
    ['no --output', ['export', '--brokers', 'localhost:9092'], '--output FILE is required'],
    ['brokers that are not HOST:PORT', ['export', '--brokers', 'kafka', '--output', 'x.jsonl'], '"kafka" is not a list of HOST:PORT'],
    ['a --since that is no time', ['export', '--brokers', 'localhost:9092', '--since', 'yesterday', '--output', 'x.jsonl'], '--since: "yesterday" is not an RFC 3339 time'],
    ['--until before --since', ['export', '--brokers', 'localhost:9092', '--since', '2026-12-06T00:00:00Z', '--until', '2026-12-05T00:00:00Z', '--output', 'x.jsonl'], '--until must be after --since'],
  ])('export refuses %s with a usage error', async (_name, args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
