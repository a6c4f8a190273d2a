// The servers of bench/peers, each a process of its own so that /proc gives its own CPU time and
// resident memory: started with their output in a log file (a pipe drained by this process would
// cost the bench CPU), ready when an HTTP(S) probe answers 200, stopped with SIGTERM then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RunningServer {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  alive(): boolean;
  /** The last bytes of its log. */
  tail(bytes?: number): string;
  stop(graceMs?: number): Promise<void>;
}

export interface StartServerOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  /** Answers 200 once the server is ready. */
  readonly readyUrl: string;
  /** Client certificate for the readiness probe (Guard asks for one; its /healthz does not need it). */
  readonly clientTls?: ClientTls;
  readonly startTimeoutMs?: number;
}

export interface ClientTls {
  readonly cert: string;
  readonly key: string;
}

/** Every server started and not yet stopped: the bench stops them all on the way out. */
const started = new Set<RunningServer>();

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const tail = (bytes = 4000) => {
    try {
      return readFileSync(options.logFile, 'utf8').slice(-bytes);
    } catch {
      return '';
    }
  };
  const server: RunningServer = {
    name: options.name,
    pid: child.pid ?? 0,
    logFile: options.logFile,
    alive,
    tail,
    async stop(graceMs = 20_000) {
      started.delete(server);
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  started.add(server);
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  for (;;) {
    if (!alive()) throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}) before it was ready; its log ${options.logFile} ends:\n${tail()}`);
    if ((await probe(options.readyUrl, options.clientTls).catch(() => 0)) === 200) return server;
    if (Date.now() > deadline) {
      await server.stop(1_000);
      throw new Error(`${options.name} not ready at ${options.readyUrl} within ${options.startTimeoutMs ?? 120_000} ms; its log ends:\n${tail()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stopAllServers(): Promise<void> {
  await Promise.all([...started].map((s) => s.stop().catch(() => undefined)));
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** One request (the server certificate is not verified: loopback servers with bench certificates). */
export function send(url: string, options: { readonly method?: string; readonly headers?: Record<string, string>; readonly body?: string; readonly clientTls?: ClientTls } = {}): Promise<Answer> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? 'GET', headers: options.headers, ...(target.protocol === 'https:' ? { rejectUnauthorized: false, ...options.clientTls } : {}), timeout: 5_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

async function probe(url: string, clientTls?: ClientTls): Promise<number> {
  return (await send(url, clientTls ? { clientTls } : {})).status;
}
