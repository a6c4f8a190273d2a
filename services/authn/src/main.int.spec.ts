// main.ts as a process: an invalid config stops startup naming the file and the key; a valid
// one serves, and SIGTERM shuts down cleanly with the decision events flushed to Kafka.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRODUCER_STATUS_EVENT_TYPE, TOPICS, type DecisionEvent, type ProducerStatusData } from '@authtrail/events';
import { createKafkaBus } from '@authtrail/event-bus';
import { testKafkaBrokers } from '@authtrail/testing';

const MAIN = join(__dirname, 'main.ts');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authn-main-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('main.ts', () => {
  it('an invalid config file stops startup with exit code 2, naming the file and the key', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'authn:\n  cache:\n    successTTL: 10 seconds\n  strategies:\n    - { id: static-token, tokenfile: x.csv }\n');
    const proc = run(['--config', file], { KAFKA_BROKERS: '127.0.0.1:9' });
    expect(await proc.exit).toBe(2);
    expect(proc.output()).toContain(`${file}: authn.cache.successTTL: must match duration like 10s`);
  }, 30_000);

  it('serves, and on SIGTERM stops cleanly (exit 0) with its decision event on Kafka', async () => {
    const token = randomBytes(16).toString('hex');
    const instance = `authn-main-${randomBytes(3).toString('hex')}`;
    writeFileSync(join(dir, 'tokens.csv'), `${token},carol,uid-c,"ops"\n`);
    const file = join(dir, 'good.yaml');
    writeFileSync(file, ['dataDir: ./data', 'authn:', '  http: { port: 0, host: 127.0.0.1 }', '  strategies:', '    - { id: static-token, tokenFile: tokens.csv }', 'log: { level: info }'].join('\n'));
    const proc = run(['--config', file], { KAFKA_BROKERS: testKafkaBrokers().join(','), AUTHTRAIL_INSTANCE: instance });
    await waitFor(() => /"msg":"authn listening"/.test(proc.output()), 30_000);
    // Until policy and revocations are loaded authn answers 503 (authn.startDegraded: false).
    await waitFor(() => /"msg":"control state loaded"/.test(proc.output()), 30_000);
    const url = /"http":"(http:\/\/[^"]+)"/.exec(proc.output())?.[1];
    expect(url).toEqual(expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/));
    const res = await fetch(`${url}/v1/forward-auth`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const decisionId = res.headers.get('x-authtrail-decision-id');

    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(proc.output()).toContain('authn stopped');
    expect(proc.output()).not.toContain(token);

    const bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: `${instance}-reader`, spoolDir: join(dir, 'reader-spool') });
    const mine: DecisionEvent[] = [];
    await bus.subscriber.readToEnd(TOPICS.decisions, (record) => {
      const event = JSON.parse(record.value?.toString('utf8') ?? '{}') as DecisionEvent;
      if (event.data?.instance === instance) mine.push(event);
    });
    await bus.close();
    expect(mine.map((e) => e.id)).toEqual([decisionId]);
    expect(mine[0]?.data).toMatchObject({ decision: 'allow', user: { username: 'carol' } });
  }, 60_000);

  it('SIGKILL leaves the sequence ledger: the next start reports the killed boot as lost with its exact last sequence', async () => {
    const token = randomBytes(16).toString('hex');
    const instance = `authn-kill-${randomBytes(3).toString('hex')}`;
    const folder = mkdtempSync(join(dir, 'kill-'));
    writeFileSync(join(folder, 'tokens.csv'), `${token},dave,uid-d,"ops"\n`);
    const file = join(folder, 'authtrail.yaml');
    writeFileSync(file, ['dataDir: ./data', 'authn:', '  http: { port: 0, host: 127.0.0.1 }', '  strategies:', '    - { id: static-token, tokenFile: tokens.csv }', 'log: { level: info }'].join('\n'));
    const env = { KAFKA_BROKERS: testKafkaBrokers().join(','), AUTHTRAIL_INSTANCE: instance };
    const serve = async (requests: number) => {
      const proc = run(['--config', file], env);
      await waitFor(() => /"msg":"authn listening"/.test(proc.output()), 30_000);
      await waitFor(() => /"msg":"control state loaded"/.test(proc.output()), 30_000);
      const listening = JSON.parse(proc.output().split('\n').find((line) => line.includes('"msg":"authn listening"')) ?? '{}') as { http?: string; boot?: string };
      const { http: url, boot } = listening;
      for (let i = 0; i < requests; i += 1) expect((await fetch(`${url}/v1/forward-auth`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      return { proc, boot };
    };

    const killed = await serve(3);
    killed.proc.child.kill('SIGKILL');
    await killed.proc.exit;
    const next = await serve(1);
    next.proc.child.kill('SIGTERM');
    expect(await next.proc.exit).toBe(0);

    const bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: `${instance}-reader`, spoolDir: join(folder, 'reader-spool') });
    const reports: ProducerStatusData[] = [];
    await bus.subscriber.readToEnd(TOPICS.control, (record) => {
      const event = JSON.parse(record.value?.toString('utf8') ?? '{}') as { type?: string; data?: ProducerStatusData };
      if (event.type === PRODUCER_STATUS_EVENT_TYPE && event.data?.instance === instance) reports.push(event.data);
    });
    await bus.close();
    expect(killed.boot).toBeDefined();
    // The killed boot's own `running` may or may not have left before the kill: that is what a
    // kill does. Its `lost` report comes from the ledger and is exact.
    expect(reports.filter((r) => !(r.boot === killed.boot && r.state === 'running'))).toEqual([
      { instance, boot: killed.boot, state: 'lost', lastSequence: 3, dropped: 0 },
      { instance, boot: next.boot, state: 'running', lastSequence: 0, dropped: 0 },
      { instance, boot: next.boot, state: 'stopped', lastSequence: 1, dropped: 0 },
    ]);
  }, 90_000);
});
