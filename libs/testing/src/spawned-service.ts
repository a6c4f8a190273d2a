// A product process started the way a user starts it (`node --import tsx <script> …`), with its
// whole stdout/stderr kept (for the canary scan and for failure messages), and the handles a
// test needs to stop it gracefully, kill it mid-flight, or wait for a line / a URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerProcess } from '../harness/process-registry.js';

export interface SpawnedService {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output contains `text` (rejects with the output when the process exits first or after `timeoutMs`). */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL now: no shutdown code runs. */
  kill(): Promise<void>;
}

export interface SpawnServiceOptions {
  readonly name: string;
  /** The workspace root: scripts are relative to it and it is the working directory. */
  readonly root: string;
  readonly script: string;
  readonly args?: readonly string[];
  /** Merged over process.env. */
  readonly env?: Readonly<Record<string, string>>;
}

export function spawnService(options: SpawnServiceOptions): SpawnedService {
  const child = spawn(process.execPath, ['--import', 'tsx', join(options.root, options.script), ...(options.args ?? [])], {
    cwd: options.root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Recorded so that the next test run stops it (and, through its shutdown, its embedded
  // PostgreSQL) should the test process die without stopping it.
  const registration = child.pid ? registerProcess({ kind: 'service', label: `service ${options.name}`, pid: child.pid }) : undefined;
  child.once('exit', () => registration?.unregister());
  const chunks: Buffer[] = [];
  const listeners = new Set<() => void>();
  const keep = (chunk: Buffer) => {
    chunks.push(chunk);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output = () => Buffer.concat(chunks).toString('utf8');

  return {
    name: options.name,
    child,
    pid: child.pid ?? 0,
    output,
    waitForOutput(text, timeoutMs = 120_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!output().includes(text)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${options.name}: "${text}" not seen within ${timeoutMs} ms\n${output().slice(-6000)}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`${options.name} exited (${code}) before "${text}"\n${output().slice(-6000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * The URL of the embedded PostgreSQL `npm start` runs under `dataDir` (read-model's
 * startEmbeddedPostgres): port from the cluster's postmaster.pid, password from the file beside it.
 */
export function embeddedPostgresUrl(dataDir: string): string {
  const pid = readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
  const port = Number.parseInt(pid[3] ?? '', 10);
  if (!Number.isInteger(port)) throw new Error(`no port in ${join(dataDir, 'postgres', 'postmaster.pid')}`);
  const password = readFileSync(join(dataDir, 'postgres.password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}
