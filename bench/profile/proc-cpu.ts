// CPU time of another process from Linux's /proc: the whole process (every thread: libuv's pool,
// GC helpers, the inspector) and its main thread alone. The profile samples only the main thread;
// the difference says how much work ran elsewhere (e.g. WebCrypto on the thread pool).
import { readdir, readFile } from 'node:fs/promises';

export interface CpuTimes {
  readonly processMicros: number;
  readonly mainThreadMicros: number;
  /** CPU of the threads alive now, summed by thread name (V8Worker: GC and compiler helpers; libuv-worker: the pool). */
  readonly byThreadName: ReadonlyMap<string, number>;
}

/** USER_HZ, the unit of /proc's utime and stime: 100 on every Linux architecture's user ABI. */
const TICK_MICROS = 10_000;

/** utime + stime of a /proc/…/stat line, in µs. The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'. */
export function statCpuMicros(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc stat line: ${stat.slice(0, 120)}`);
  return (utime + stime) * TICK_MICROS;
}

export async function cpuTimes(pid: number): Promise<CpuTimes | undefined> {
  try {
    const [whole, main] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8')]);
    return { processMicros: statCpuMicros(whole), mainThreadMicros: statCpuMicros(main), byThreadName: await cpuByThreadName(pid) };
  } catch {
    // Not Linux, or the process is gone: the report goes without these figures.
    return undefined;
  }
}

async function cpuByThreadName(pid: number): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  for (const task of await readdir(`/proc/${pid}/task`)) {
    try {
      const [name, stat] = await Promise.all([readFile(`/proc/${pid}/task/${task}/comm`, 'utf8'), readFile(`/proc/${pid}/task/${task}/stat`, 'utf8')]);
      byName.set(name.trim(), (byName.get(name.trim()) ?? 0) + statCpuMicros(stat));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byName;
}

/** CPU per thread name between two readings, largest first. */
export function threadCpuBetween(start: CpuTimes, end: CpuTimes): [name: string, micros: number][] {
  return [...end.byThreadName]
    .map(([name, micros]): [string, number] => [name, micros - (start.byThreadName.get(name) ?? 0)])
    .filter(([, micros]) => micros > 0)
    .sort((a, b) => b[1] - a[1]);
}
