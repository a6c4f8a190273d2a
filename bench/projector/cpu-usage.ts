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

function postmasterOf(clusterDir: string): string | undefined {
  try {
    const postmaster = readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
    readdirSync('/proc');
    return postmaster;
  } catch {
    return undefined;
  }
}

/** The postmaster's children: backends and background processes. */
function* childrenOf(postmaster: string): Generator<{ pid: string; micros: number }> {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = statOf(pid);
    if (stat?.ppid === postmaster) yield { pid, micros: stat.micros };
  }
}

/** Microseconds of CPU used so far by the server whose cluster directory is `clusterDir`; undefined off Linux. */
export function postgresCpuMicros(clusterDir: string): number | undefined {
  const postmaster = postmasterOf(clusterDir);
  if (postmaster === undefined) return undefined;
  let total = statOf(postmaster)?.micros ?? 0;
  for (const child of childrenOf(postmaster)) total += child.micros;
  return total;
}

/**
 * Microseconds of CPU used so far by the backends connected to `database` (their process title is
 * `postgres: <user> <database> <client> <state>`): the statements' own work, without the WAL
 * writer, checkpointer and autovacuum, which run beside them on other cores. A backend that has
 * disconnected no longer counts: read it while the connections are open.
 */
export function backendCpuMicros(clusterDir: string, database: string): number | undefined {
  const postmaster = postmasterOf(clusterDir);
  if (postmaster === undefined) return undefined;
  let total = 0;
  for (const child of childrenOf(postmaster)) {
    const title = readTitle(child.pid);
    if (title?.split(' ')[2] === database) total += child.micros;
  }
  return total;
}

function readTitle(pid: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}

export const nodeCpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
