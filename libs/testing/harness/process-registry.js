// The processes the test harness starts that must not outlive their run: Kafka brokers,
// PostgreSQL servers, spawned services. Each is recorded in a file of its own under
// os.tmpdir() together with its owner (the process that started it), both as PID + start time
// so that a reused PID is never mistaken for either. reapLeftovers() stops the recorded
// processes whose owner is gone (a run killed by a CI timeout, the OOM killer or Ctrl-C never
// ran its teardown) and deletes their temporary data. A process whose owner is still alive
// belongs to a run in progress and is never touched. Linux only (/proc); elsewhere a no-op.
// Plain CommonJS: loaded by infra/kafka/broker.js, the ESM harness and TypeScript tests alike.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const GRACE_MS = 10_000;
const supported = fs.existsSync('/proc/self/stat');

// One per user: a user can stop only their own processes, and may not write another's directory.
function registryDir() {
  return process.env.AUTHTRAIL_PROCESS_REGISTRY || path.join(os.tmpdir(), `authtrail-test-processes-${process.getuid ? process.getuid() : 'user'}`);
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined when gone or a zombie. */
function startTimeOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

function isRunning(identity) {
  if (identity === undefined || !Number.isInteger(identity.pid) || identity.pid <= 1) return false;
  const startTime = startTimeOf(identity.pid);
  return startTime !== undefined && startTime === identity.startTime;
}

/**
 * Records a process this one started. `entry`: `{ kind, label, pid }` for a direct child, or
 * `{ kind, label, postgresDataDir }` for a PostgreSQL cluster (its postmaster is found through
 * postmaster.pid, so the record exists before the server does); optional `removeDir` (deleted
 * when the leftover is reaped) and `stopSignal` (default SIGTERM). Returns `unregister()`.
 */
function registerProcess(entry) {
  if (!supported) return { unregister: () => undefined };
  const dir = registryDir();
  fs.mkdirSync(dir, { recursive: true });
  const record = {
    ...entry,
    ...(entry.pid !== undefined ? { startTime: startTimeOf(entry.pid) } : {}),
    owner: { pid: process.pid, startTime: startTimeOf(process.pid) },
  };
  const file = path.join(dir, `${entry.kind}-${process.pid}-${crypto.randomBytes(6).toString('hex')}.json`);
  // Written whole, then renamed: a reaper never reads half a record.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(record));
  fs.renameSync(`${file}.tmp`, file);
  return { unregister: () => fs.rmSync(file, { force: true }) };
}

/** Only the harness's own temporary directories are ever deleted, whatever a record says. */
function isTemporary(dir) {
  const relative = path.relative(os.tmpdir(), path.resolve(dir));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The running process a record names, as `{ pid, startTime }`; undefined when it is gone. */
function findRecorded(record) {
  if (record.postgresDataDir) {
    try {
      const pid = Number(fs.readFileSync(path.join(record.postgresDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      // A stale postmaster.pid may name an unrelated process that got the PID since.
      if (!command.includes(record.postgresDataDir)) return undefined;
      const startTime = startTimeOf(pid);
      return startTime === undefined ? undefined : { pid, startTime };
    } catch {
      return undefined;
    }
  }
  const identity = { pid: record.pid, startTime: record.startTime };
  return isRunning(identity) ? identity : undefined;
}

async function waitUntilGone(identity, timeoutMs) {
  for (const deadline = Date.now() + timeoutMs; isRunning(identity) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  return !isRunning(identity);
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // exited meanwhile
  }
}

/** Its stop signal, then SIGKILL after GRACE_MS (SIGCONT too: a spec may have left it SIGSTOPped). False when it outlives both. */
async function stop(identity, stopSignal) {
  signal(identity.pid, stopSignal || 'SIGTERM');
  signal(identity.pid, 'SIGCONT');
  if (await waitUntilGone(identity, GRACE_MS)) return true;
  signal(identity.pid, 'SIGKILL');
  return waitUntilGone(identity, GRACE_MS);
}

function readRecords(dir) {
  let names = [];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const records = [];
  for (const name of names) {
    try {
      records.push({ file: path.join(dir, name), record: JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) });
    } catch {
      // removed by its owner or another reaper meanwhile
    }
  }
  return records;
}

/**
 * Stops every recorded process whose owner is gone and deletes its `removeDir`. Resolves with
 * what it stopped: `[{ kind, label, pid }]`.
 */
async function reapLeftovers({ log = () => undefined } = {}) {
  if (!supported) return [];
  const reaped = [];
  for (const { file, record } of readRecords(registryDir())) {
    if (isRunning(record.owner)) continue;
    const leftover = findRecorded(record);
    if (leftover) {
      log(`[harness] stopping ${record.label} (pid ${leftover.pid}), left running by test process ${record.owner && record.owner.pid} that is gone`);
      if (!(await stop(leftover, record.stopSignal))) {
        // Kept on record: the next run tries again. Not fatal: it only holds its own ports.
        log(`[harness] ${record.label} (pid ${leftover.pid}) survived SIGKILL`);
        continue;
      }
      reaped.push({ kind: record.kind, label: record.label, pid: leftover.pid });
    }
    if (record.removeDir && isTemporary(record.removeDir)) fs.rmSync(record.removeDir, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
  }
  return reaped;
}

module.exports = { registerProcess, reapLeftovers };
