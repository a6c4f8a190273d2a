// One authtrail per data directory owns its embedded PostgreSQL. The owner is recorded in
// `<dataDir>/postgres.owner` (PID and process start time, so a reused PID is not mistaken for
// it). At start: a live owner means another authtrail runs on this directory (refused); a dead
// one is an authtrail that was SIGKILLed or OOM-killed, whose postmaster outlived it and still
// holds the cluster — that postmaster is shut down first (fast shutdown; immediate if it does not
// finish), so a restart after a crash just works.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SHUTDOWN_WAIT_MS = 30_000;

export class ClusterInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`the embedded PostgreSQL under ${dataDir} belongs to authtrail process ${pid}, which is still running (one authtrail per data directory)`);
    this.name = 'ClusterInUseError';
  }
}

/** Makes this process the cluster's owner, stopping a postmaster a dead owner left behind. */
export async function takeOwnership(dataDir: string, clusterDir: string, log: (line: string) => void): Promise<void> {
  const owner = readOwner(dataDir);
  if (owner !== undefined && owner.pid !== process.pid && startTimeOf(owner.pid) === owner.startTime) throw new ClusterInUseError(dataDir, owner.pid);
  const postmaster = leftPostmaster(clusterDir);
  if (postmaster !== undefined) {
    log(`[postgres] stopping PostgreSQL process ${postmaster} left running by an authtrail that did not shut down`);
    await stopProcess(postmaster);
  }
  writeFileSync(ownerFile(dataDir), `${process.pid} ${startTimeOf(process.pid) ?? ''}\n`);
}

export function releaseOwnership(dataDir: string): void {
  if (readOwner(dataDir)?.pid === process.pid) rmSync(ownerFile(dataDir), { force: true });
}

function ownerFile(dataDir: string): string {
  return path.join(dataDir, 'postgres.owner');
}

function readOwner(dataDir: string): { pid: number; startTime: string } | undefined {
  try {
    const [pid, startTime] = readFileSync(ownerFile(dataDir), 'utf8').trim().split(' ');
    return { pid: Number(pid), startTime: startTime ?? '' };
  } catch {
    return undefined;
  }
}

/** The live postmaster of `postmaster.pid` when it serves this cluster (its first two lines: PID, data directory). */
function leftPostmaster(clusterDir: string): number | undefined {
  try {
    const [pidLine, dirLine] = readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(pidLine);
    if (!Number.isInteger(pid) || pid <= 1 || path.resolve(dirLine ?? '') !== path.resolve(clusterDir)) return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return command[0]?.endsWith('postgres') && command.includes(clusterDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function stopProcess(pid: number): Promise<void> {
  const alive = () => startTimeOf(pid) !== undefined;
  for (const [signal, waitMs] of [['SIGINT', SHUTDOWN_WAIT_MS], ['SIGQUIT', SHUTDOWN_WAIT_MS]] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    for (const deadline = Date.now() + waitMs; alive() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    if (!alive()) return;
  }
  throw new Error(`PostgreSQL process ${pid} did not stop`);
}
