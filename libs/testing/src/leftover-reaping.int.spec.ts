// A test run that dies before its teardown (CI timeout, OOM kill) leaves its Kafka broker and
// PostgreSQL running. Played here with real processes: a child runs the real jest global setup
// and is SIGKILLed; the next run's global setup must stop what it left, and only that.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { testDatabaseServerUrl, testKafkaBrokers, waitForKafka } from './index';

const testdata = path.join(__dirname, '../testdata');

interface Started {
  kafka: { pid: number; brokers: string; port: number; controllerPort: number; dataDir: string };
  postgres: { url: string; dataDir: string };
}

/** Starts a testdata script under plain node and resolves with its first JSON line. */
function startScript<T>(script: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; line: Promise<T>; output: () => string } {
  const child = spawn(process.execPath, [path.join(testdata, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const line = new Promise<T>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const json = output.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (json) resolve(JSON.parse(json) as T);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code, signal) => reject(new Error(`${script} exited (${code ?? signal}) before printing its JSON line:\n${output}`)));
  });
  return { child, line, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Whether `pid` is a live process (a zombie waiting for its parent counts as gone). */
function running(pid: number): boolean {
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The PID in the cluster's postmaster.pid, while the file is there. */
function postmasterOf(started: Started | undefined): number | undefined {
  const file = started && path.join(started.postgres.dataDir, 'data', 'postmaster.pid');
  return file && existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

describe('leftovers of a test run that died', () => {
  const registry = mkdtempSync(path.join(tmpdir(), 'authtrail-registry-'));
  const baseEnv: NodeJS.ProcessEnv = { ...process.env, AUTHTRAIL_PROCESS_REGISTRY: registry };
  delete baseEnv['KAFKA_BROKERS'];
  delete baseEnv['DATABASE_URL'];
  // Given the shared broker and database, a later run's setup starts nothing: it only reaps.
  const laterRunEnv = (): NodeJS.ProcessEnv => ({ ...baseEnv, KAFKA_BROKERS: testKafkaBrokers().join(','), DATABASE_URL: testDatabaseServerUrl() });
  const children: ChildProcess[] = [];
  let started: Started | undefined;
  let sleeperPid: number | undefined;

  afterAll(async () => {
    // Whatever this test left if it failed: a later run's setup over the same registry, then by hand.
    const cleanup = startScript('run-global-setup.mjs', ['exit'], laterRunEnv());
    await exited(cleanup.child);
    for (const pid of [sleeperPid, started?.kafka.pid, postmasterOf(started)]) if (pid && running(pid)) process.kill(pid, 'SIGKILL');
    for (const child of children) child.kill('SIGKILL');
    for (const dir of [registry, started?.kafka.dataDir, started?.postgres.dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("the next run's global setup stops the dead run's broker and PostgreSQL and deletes their data, and leaves a live run's processes alone", async () => {
    const deadRun = startScript<{ started: Started }>('run-global-setup.mjs', ['hold'], baseEnv);
    const liveRun = startScript<{ sleeperPid: number }>('live-owner.mjs', [], baseEnv);
    children.push(deadRun.child, liveRun.child);
    started = (await deadRun.line).started;
    sleeperPid = (await liveRun.line).sleeperPid;
    expect(started.kafka.port).not.toBe(started.kafka.controllerPort);

    deadRun.child.kill('SIGKILL');
    await exited(deadRun.child);
    // The leftovers are real: the owner is gone, its broker and database still serve.
    await waitForKafka(started.kafka.brokers, { timeoutMs: 15_000 });
    expect(await postgresAnswers(started.postgres.url)).toBe(true);

    // A record whose PID now belongs to another process (the sleeper; other start time) of a dead owner.
    writeFileSync(
      path.join(registry, 'reused-pid.json'),
      JSON.stringify({ kind: 'kafka', label: 'a process that reused a recorded PID', pid: sleeperPid, startTime: '1', owner: { pid: deadRun.child.pid, startTime: '1' } }),
    );

    const laterRun = startScript<{ started: Partial<Started> }>('run-global-setup.mjs', ['exit'], laterRunEnv());
    await laterRun.line;
    expect(await exited(laterRun.child)).toBe(0);

    expect(laterRun.output()).toContain(`Kafka broker at ${started.kafka.brokers} (pid ${started.kafka.pid})`);
    expect(running(started.kafka.pid)).toBe(false);
    await expect(waitForKafka(started.kafka.brokers, { timeoutMs: 1500 })).rejects.toThrow(`Kafka not reachable at ${started.kafka.brokers}`);
    expect(await postgresAnswers(started.postgres.url)).toBe(false);
    expect(existsSync(started.kafka.dataDir)).toBe(false);
    expect(existsSync(started.postgres.dataDir)).toBe(false);

    // The run in progress keeps its process and its record; the reused PID was not killed.
    expect(running(sleeperPid)).toBe(true);
    expect(readdirSync(registry).map((name) => name.split('-')[0])).toEqual(['sleeper']);
  }, 240_000);
});
