// Child processes of the run (etcd, kube-apiserver, authtrail): started with their output in a log
// file, waited for, and stopped by their own pid (never by name) when the run ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<string>;
}

const running: Started[] = [];

export function startProcess(name: string, command: string, args: readonly string[], options: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv }): Started {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<string>((resolve) => {
    child.on('error', (error) => resolve(`failed to start: ${error.message}`));
    child.on('exit', (code, signal) => resolve(signal ?? String(code)));
  });
  const started = { name, child, logFile: options.logFile, exited };
  running.push(started);
  return started;
}

/** The last lines of a process' log, for a failure report. */
export function logTail(started: Started, lines = 25): string {
  try {
    return readFileSync(started.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** SIGTERM to every process this run started, newest first; SIGKILL after `graceMs`. */
export async function stopAll(progress: (line: string) => void, graceMs = 15_000): Promise<void> {
  for (const started of running.splice(0).reverse()) {
    if (started.child.exitCode !== null || started.child.signalCode !== null || started.child.pid === undefined) continue;
    progress(`stopping ${started.name} (pid ${started.child.pid})`);
    started.child.kill('SIGTERM');
    const timer = setTimeout(() => started.child.kill('SIGKILL'), graceMs);
    await started.exited;
    clearTimeout(timer);
  }
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `probe` every 500 ms until it returns true. Fails early, with the log's tail, when the
 * process died, and after `timeoutMs`.
 */
export async function waitUntil(started: Started, what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: string | undefined;
  void started.exited.then((code) => (exitedWith = code));
  for (;;) {
    if (exitedWith !== undefined) throw new Error(`${started.name} exited (${exitedWith}) before ${what}; last lines of ${started.logFile}:\n${logTail(started)}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${started.name}: no ${what} after ${timeoutMs / 1000} s; last lines of ${started.logFile}:\n${logTail(started)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
