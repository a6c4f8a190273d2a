// A database of the bench's own: a fresh one on the server of DATABASE_URL (dropped after), else
// an embedded PostgreSQL in a temporary directory (removed after).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@authtrail/read-model';
import { Client } from 'pg';

export interface PrivateDatabase {
  readonly url: string;
  /** Where the data lives: the filesystem of the embedded cluster's directory (its type and mount options), or the server. */
  readonly volume: string;
  stop(): Promise<void>;
}

async function onServer(server: string, sql: string): Promise<void> {
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export async function privateDatabase(bench: string, log: (line: string) => void = () => undefined): Promise<PrivateDatabase> {
  const server = process.env['DATABASE_URL'];
  if (server) {
    const name = `bench_${bench}_${randomBytes(4).toString('hex')}`;
    await onServer(server, `CREATE DATABASE "${name}"`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    return { url: url.toString(), volume: `the server of DATABASE_URL (${url.host})`, stop: () => onServer(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
  }
  const dataDir = mkdtempSync(join(tmpdir(), `authtrail-bench-${bench}-`));
  log(`starting embedded PostgreSQL under ${dataDir}`);
  const pg = await startEmbeddedPostgres({ dataDir });
  return {
    url: pg.url,
    volume: volumeOf(dataDir),
    async stop() {
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The filesystem holding `dir`: a compressed one changes the disk figures, so the results say so. */
function volumeOf(dir: string): string {
  try {
    const [target, type, options] = execFileSync('findmnt', ['-n', '-o', 'TARGET,FSTYPE,OPTIONS', '--target', dir], { encoding: 'utf8' }).trim().split(/\s+/);
    return `${dir} on ${type} at ${target} (${options})`;
  } catch {
    return dir;
  }
}

/** A command-line option that must be a positive integer; the error names it. */
export function positiveInteger(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}
