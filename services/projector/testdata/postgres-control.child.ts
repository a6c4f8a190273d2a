// A private embedded PostgreSQL the restart spec can stop and start: run under tsx (the package
// is ESM-only), it reads `stop` / `start` lines on stdin and answers `stopped` / `started <url>`.
import { createInterface } from 'node:readline';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from '@authtrail/read-model';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: postgres-control.child.ts <dataDir>');
  let pg: RunningEmbeddedPostgres | undefined = await startEmbeddedPostgres({ dataDir });
  const port = pg.port;
  process.stdout.write(`started ${pg.url}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'stop' && pg) {
      await pg.stop();
      pg = undefined;
      process.stdout.write('stopped\n');
    } else if (line === 'start' && !pg) {
      pg = await startEmbeddedPostgres({ dataDir, port });
      process.stdout.write(`started ${pg.url}\n`);
    } else if (line === 'exit') {
      break;
    }
  }
  await pg?.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
