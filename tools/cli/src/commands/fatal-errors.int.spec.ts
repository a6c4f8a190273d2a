// Fatal errors of the real CLI (tools/cli/bin/authtrail.js, spawned): exit code 1, one line on
// stderr naming the problem, no stack trace, and the process ends by itself (the jest timeout
// bounds it; no timing assertion). Embedded PostgreSQL under a directory of each test's own.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const BIN = path.join(__dirname, '..', '..', 'bin', 'authtrail.js');
const dirs: string[] = [];
const children: ChildProcess[] = [];

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], cwd: string): { child: ChildProcess; finished: Promise<Finished>; stdout: () => string } {
  // detached: its own process group, so afterAll can stop the CLI and what it started.
  const child = spawn(process.execPath, [BIN, ...args], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...ownEnvironment(), AUTHTRAIL_LOG_LEVEL: 'warn' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const finished = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, finished, stdout: () => stdout };
}

/** This process's environment without the test harness's Kafka and database (the CLI must use its embedded ones). */
function ownEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|KAFKA_BROKERS|AUTHTRAIL_.*|PROJECTOR_.*)$/.test(name)));
}

function workDir(config: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-fatal-'));
  // As root, embedded PostgreSQL runs as the postgres user, which must reach the data directory.
  chmodSync(dir, 0o755);
  dirs.push(dir);
  writeFileSync(path.join(dir, 'authtrail.yaml'), config);
  return dir;
}

/** The stderr lines that are not start-up progress (`authtrail: starting …`). */
const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '' && !/^authtrail: /.test(line));
const STACK_FRAME = /^\s+at /m;

afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('authtrail start: fatal errors exit 1 with one line', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('the authn port already in use', async () => {
    const dir = workDir(['dataDir: ./data', 'authn:', `  http: { port: ${busyPort}, host: 127.0.0.1 }`, 'graphql: { port: 0, host: 127.0.0.1 }', ''].join('\n'));
    const { code, stderr } = await run(['start', '--config', 'authtrail.yaml'], dir).finished;
    expect(code).toBe(1);
    expect(errorLines(stderr)).toEqual([`authtrail start: listen EADDRINUSE: address already in use 127.0.0.1:${busyPort}`]);
    expect(stderr).not.toMatch(STACK_FRAME);
  }, 120_000);

  it('a missing certificate file, named by its key before anything starts', async () => {
    const dir = workDir(['dataDir: ./data', 'authn:', '  http: { port: 0, host: 127.0.0.1 }', '  https: { port: 0, host: 127.0.0.1, certFile: ./missing.crt, keyFile: ./missing.key }', 'graphql: { port: 0, host: 127.0.0.1 }', ''].join('\n'));
    const { code, stderr } = await run(['start', '--config', 'authtrail.yaml'], dir).finished;
    expect(code).toBe(1);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      `authtrail start: authn.https.certFile: ${path.join(dir, 'missing.crt')}: no such file; authn.https.keyFile: ${path.join(dir, 'missing.key')}: no such file`,
    ]);
    expect(stderr).not.toMatch(STACK_FRAME);
  }, 60_000);
});

describe('authtrail replay while authtrail start runs on the same data directory', () => {
  it('refuses with exit 1 and one line naming the running process, no stack trace', async () => {
    const dir = workDir(['dataDir: ./data', 'authn:', '  http: { port: 0, host: 127.0.0.1 }', 'graphql: { port: 0, host: 127.0.0.1 }', ''].join('\n'));
    const start = run(['start', '--config', 'authtrail.yaml'], dir);
    const deadline = Date.now() + 90_000;
    while (!start.stdout().includes('authtrail is running') && Date.now() < deadline && start.child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    expect(start.stdout()).toContain('authtrail is running');

    const { code, stderr } = await run(['replay', '--config', 'authtrail.yaml'], dir).finished;
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^authtrail replay: the embedded PostgreSQL under ${path.join(dir, 'data').replaceAll('/', '\\/')} belongs to authtrail process \\d+, which is still running`));
    expect(stderr).not.toMatch(STACK_FRAME);

    // The running one is unharmed and stops cleanly.
    if (start.child.pid !== undefined) process.kill(-start.child.pid, 'SIGTERM');
    expect((await start.finished).code).toBe(0);
  }, 150_000);
});
