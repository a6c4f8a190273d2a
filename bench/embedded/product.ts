// What bench/embedded and bench/soak share: the product started the way a user starts it
// (`node --import tsx tools/cli/src/main.ts start --config FILE`), and what /proc says about it
// (CPU time of its whole process tree — embedded PostgreSQL runs as its children —, resident memory).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

/** Environment variables the config loader reads (libs/config `x-env`): the config file alone decides. */
const CONFIG_ENV = /^(AUTHTRAIL_|PROJECTOR_)|^(KAFKA_BROKERS|DATABASE_URL)$/;

export interface Product {
  readonly name: string;
  readonly pid: number;
  readonly authnUrl: string;
  /** `http://host:port/graphql` */
  readonly graphqlUrl: string;
  readonly child: ChildProcess;
  /** The last 64 KiB of its stdout and stderr. */
  tail(): string;
  alive(): boolean;
  /** SIGTERM (the product flushes and stops its embedded PostgreSQL), SIGKILL after `graceMs`; then SIGKILL for any descendant still there. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartProductOptions {
  readonly name: string;
  readonly configFile: string;
  /** Called with each progress line the product prints while starting. */
  readonly progress?: (line: string) => void;
  readonly startTimeoutMs?: number;
}

const TAIL_BYTES = 64 * 1024;

export async function startProduct(options: StartProductOptions): Promise<Product> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!CONFIG_ENV.test(key)) env[key] = value;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools/cli/src/main.ts'), 'start', '--config', options.configFile], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let starting = true;
  let partial = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-TAIL_BYTES);
    if (!starting || !options.progress) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('authtrail: ')) options.progress(line.slice('authtrail: '.length));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  const urls = await new Promise<{ authn: string; graphql: string }>((ok, fail) => {
    const timer = setTimeout(() => finish(new Error(`${options.name}: not running within ${options.startTimeoutMs ?? 300_000} ms\n${tail.slice(-4000)}`)), options.startTimeoutMs ?? 300_000);
    const check = () => {
      const match = /authtrail is running: authn (\S+?), GraphQL (\S+)/.exec(tail);
      if (match?.[1] && match[2]) finish(undefined, { authn: match[1], graphql: match[2] });
    };
    const onExit = () => finish(new Error(`${options.name}: exited (${child.exitCode ?? child.signalCode}) before it was running\n${tail.slice(-4000)}`));
    const finish = (error?: Error, value?: { authn: string; graphql: string }) => {
      clearTimeout(timer);
      child.stdout.off('data', check);
      child.off('exit', onExit);
      if (error || !value) {
        if (alive()) child.kill('SIGKILL');
        fail(error);
      } else ok(value);
    };
    child.stdout.on('data', check);
    child.once('exit', onExit);
  });
  starting = false;

  return {
    name: options.name,
    pid: child.pid ?? 0,
    authnUrl: urls.authn,
    graphqlUrl: urls.graphql,
    child,
    tail: () => tail,
    alive,
    async stop(graceMs = 60_000) {
      const descendants = processTree(child.pid ?? 0).filter((p) => p.pid !== child.pid);
      if (alive()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Embedded PostgreSQL outlives a product that could not stop it: end exactly those processes.
      for (const p of descendants) {
        const now = readStat(p.pid);
        if (now && now.startTime === p.startTime) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    },
  };
}

// ---- /proc ------------------------------------------------------------------------------------

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks (cutime/cstime: children already reaped). */
  readonly cpuTicks: number;
  /** utime + stime: the process itself, without its children. */
  readonly ownCpuTicks: number;
  readonly startTime: number;
}

let ticksPerSecond: number | undefined;
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const num = (i: number) => Number(fields[i] ?? 0);
  // fields[0] is field 3 (state) of proc(5): ppid 4, utime 14, stime 15, cutime 16, cstime 17, starttime 22.
  return { pid, ppid: num(1), cpuTicks: num(11) + num(12) + num(13) + num(14), ownCpuTicks: num(11) + num(12), startTime: num(19) };
}

/** The process and all its descendants, from /proc. */
export function processTree(rootPid: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.push(stat);
  }
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of all) byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), stat]);
  const root = all.find((s) => s.pid === rootPid);
  if (!root) return [];
  const tree: ProcStat[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift() as ProcStat;
    tree.push(next);
    queue.push(...(byParent.get(next.pid) ?? []));
  }
  return tree;
}

/** CPU seconds (user + system) of a process and its descendants, living and reaped. */
export function treeCpuSeconds(rootPid: number): number {
  return processTree(rootPid).reduce((sum, p) => sum + p.cpuTicks, 0) / clockTicksPerSecond();
}

/** CPU seconds of one process itself (its children not included). */
export function ownCpuSeconds(pid: number): number {
  return (readStat(pid)?.ownCpuTicks ?? 0) / clockTicksPerSecond();
}

/** VmRSS of one process in bytes (undefined once it is gone). */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the process tree is idle (under `maxCores` of CPU over `windowMs`, twice in a row):
 * what the product still does for the load just sent (projection, SIEM export) happens before
 * the next measurement. Resolves with the seconds waited and whether it settled before `timeoutMs`.
 */
export async function waitUntilIdle(rootPid: number, options: { timeoutMs: number; windowMs?: number; maxCores?: number }): Promise<{ seconds: number; settled: boolean }> {
  const windowMs = options.windowMs ?? 500;
  const maxCores = options.maxCores ?? 0.05;
  const started = Date.now();
  let quiet = 0;
  let before = treeCpuSeconds(rootPid);
  while (Date.now() - started < options.timeoutMs) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = treeCpuSeconds(rootPid);
    quiet = (now - before) / (windowMs / 1000) < maxCores ? quiet + 1 : 0;
    before = now;
    if (quiet >= 2) return { seconds: (Date.now() - started) / 1000, settled: true };
  }
  return { seconds: (Date.now() - started) / 1000, settled: false };
}

/** The value of a Prometheus sample (summed over its label sets), undefined when absent. */
export function metricValue(exposition: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

export const MiB = 1024 * 1024;
