// CPU time of this process and of an embedded PostgreSQL server (postmaster + every child:
// backends, WAL writer, checkpointer), from /proc. On a shared machine wall-clock rates move with
// other work; CPU per event moves much less, so the bench prints both.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Linux USER_HZ: /proc times are in 1/100 s on every common kernel configuration. */
const TICK_MICROS = 10_000;

function statOf(pid: string): { ppid: string; micros: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: fields[1], micros: (Number(fields[11]) + Number(fields[12])) * TICK_MICROS };
  } catch {
    return undefined; // the process ended meanwhile
  }
}

/** Microseconds of CPU used so far by the server whose cluster directory is `clusterDir`; undefined off Linux. */
export function postgresCpuMicros(clusterDir: string): number | undefined {
  let postmaster: string;
  try {
    postmaster = readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
    readdirSync('/proc');
  } catch {
    return undefined;
  }
  let total = statOf(postmaster)?.micros ?? 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = statOf(pid);
    if (stat?.ppid === postmaster) total += stat.micros;
  }
  return total;
}

export const nodeCpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
