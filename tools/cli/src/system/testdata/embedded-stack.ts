// The embedded stack (`npm start` with a config naming neither Kafka nor a database: embedded
// PostgreSQL under dataDir and the in-process bus) started the way a user starts it, for the
// system tests of issue #16: `node --import tsx tools/cli/src/main.ts start --config FILE`, the
// URLs parsed from the `authtrail is running:` line, a GraphQL client with the admin's token, and
// the measurements those tests take from outside the process (RSS, the bus directory's size).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnService, waitFor, type SpawnedService } from '@authtrail/testing';

export const ROOT = resolve(__dirname, '../../../../..');

const secret = () => randomBytes(24).toString('base64url');

/** The credentials and files of one stack: a load user (the trail under test) and an admin for GraphQL. */
export interface StackFiles {
  readonly dir: string;
  readonly dataDir: string;
  readonly configFile: string;
  /** The static token every load request carries; its user is in no API group. */
  readonly loadToken: string;
  readonly loadUser: string;
  readonly adminToken: string;
  /** `AUTHTRAIL_FINGERPRINT_KEY` (id:base64): the same for every start of this stack. */
  readonly fingerprintKey: string;
}

export interface StackConfig {
  /** Merged into `events` (no `kafka`: the in-process bus). */
  readonly events: Record<string, unknown>;
  readonly graphqlLimits?: Record<string, unknown>;
}

/** Writes tokens.csv and the config file (JSON is YAML) under `dir`; dataDir is `dir/data`. */
export function writeStackFiles(dir: string, config: StackConfig): StackFiles {
  const loadUser = `load-${randomBytes(4).toString('hex')}`;
  const files: StackFiles = {
    dir,
    dataDir: join(dir, 'data'),
    configFile: join(dir, 'authtrail.yaml'),
    loadToken: secret(),
    loadUser,
    adminToken: secret(),
    fingerprintKey: `e2e:${randomBytes(32).toString('base64')}`,
  };
  mkdirSync(files.dataDir, { recursive: true });
  writeFileSync(join(dir, 'tokens.csv'), `${files.loadToken},${loadUser},uid-${loadUser},"load"\n${files.adminToken},ada,uid-ada,"authtrail:admins"\n`, { mode: 0o600 });
  const yaml = {
    dataDir: files.dataDir,
    authn: {
      instance: 'e2e-embedded',
      http: { port: 0, host: '127.0.0.1' },
      // The default cache: a cached static-token TokenReview, what a busy apiserver sends.
      strategies: [{ id: 'static-token', tokenFile: join(dir, 'tokens.csv') }],
    },
    events: config.events,
    graphql: { port: 0, host: '127.0.0.1', adminGroups: ['authtrail:admins'], ...(config.graphqlLimits ? { limits: config.graphqlLimits } : {}) },
    // warn: nothing per request, so 1,000,000 requests leave no log to keep in memory.
    log: { level: 'warn' },
  };
  writeFileSync(files.configFile, JSON.stringify(yaml, null, 2));
  return files;
}

export interface EmbeddedStack {
  readonly service: SpawnedService;
  /** `http://127.0.0.1:<port>` of authn. */
  readonly authnUrl: string;
  /** `http://127.0.0.1:<port>/graphql`. */
  readonly graphqlUrl: string;
  /** One GraphQL call as the admin (itself a decision of user `ada`, endpoint graphql). */
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

const RUNNING = /authtrail is running: authn (\S+), GraphQL (\S+)\n/;

/** Starts `authtrail start --config <files.configFile>` and waits for its `authtrail is running:` line. */
export async function startEmbeddedStack(files: StackFiles, name: string): Promise<EmbeddedStack> {
  const service = spawnService({
    name,
    root: ROOT,
    script: 'tools/cli/src/main.ts',
    args: ['start', '--config', files.configFile],
    // The jest harness exports its own broker and database (KAFKA_BROKERS, DATABASE_URL): blank
    // (= unset) so the config alone decides, and that config names neither.
    env: {
      KAFKA_BROKERS: '',
      DATABASE_URL: '',
      AUTHTRAIL_CONFIG: '',
      AUTHTRAIL_DATA_DIR: '',
      AUTHTRAIL_EVENTS_MODE: '',
      AUTHTRAIL_LOG_LEVEL: '',
      AUTHTRAIL_HTTP_PORT: '',
      AUTHTRAIL_GRAPHQL_PORT: '',
      AUTHTRAIL_FINGERPRINT_KEY: files.fingerprintKey,
    },
  });
  try {
    await service.waitForOutput('authtrail is running:', 240_000);
  } catch (error) {
    await service.stop(10_000);
    throw error;
  }
  const match = RUNNING.exec(service.output());
  if (!match) throw new Error(`${name}: no URLs in the running line\n${service.output().slice(-3000)}`);
  const [, authnUrl, graphqlUrl] = match as unknown as [string, string, string];
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${files.adminToken}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 1500)}`);
    return body.data as T;
  };
  await waitFor('authn /readyz', async () => ((await fetch(`${authnUrl}/readyz`)).ok ? true : undefined), { timeoutMs: 60_000, diagnostics: () => service.output().slice(-3000) });
  return { service, authnUrl, graphqlUrl, gql };
}

/** A TokenReview body for `token`. */
export const tokenReviewBody = (token: string) => JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
export const TOKEN_REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';

export interface TrailDecision {
  readonly id: string;
  readonly userAgent: string | null;
  readonly boot: string | null;
  readonly sequence: string | null;
  readonly decision: string;
}

/** Every projected decision of `username`, all pages (newest first, as the API lists them). */
export async function decisionsOf(stack: EmbeddedStack, username: string, pageSize = 500): Promise<TrailDecision[]> {
  type Page = { decisions: { totalCount: number; edges: { node: TrailDecision }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  const all: TrailDecision[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page = await stack.gql<Page>(
      'query($u: String!, $first: Int!, $after: String) { decisions(filter: { username: $u }, first: $first, after: $after) { totalCount edges { node { id userAgent boot sequence decision } } pageInfo { hasNextPage endCursor } } }',
      { u: username, first: pageSize, after },
    );
    all.push(...page.decisions.edges.map((e) => e.node));
    if (!page.decisions.pageInfo.hasNextPage) return all;
    after = page.decisions.pageInfo.endCursor;
  }
}

/** Number of projected decisions of `username`. */
export async function decisionCountOf(stack: EmbeddedStack, username: string): Promise<number> {
  const data = await stack.gql<{ decisions: { totalCount: number } }>('query($u: String!) { decisions(filter: { username: $u }, first: 1) { totalCount } }', { u: username });
  return data.decisions.totalCount;
}

/** Resident set size of a process in bytes (`VmRSS` of /proc/<pid>/status); undefined once it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes of every regular file under `path` (0 when it does not exist); files may vanish meanwhile. */
export function directoryBytes(path: string): number {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += directoryBytes(full);
    else if (entry.isFile()) {
      try {
        total += statSync(full).size;
      } catch {
        // deleted between readdir and stat (a segment retention removed)
      }
    }
  }
  return total;
}

export const MiB = 1024 * 1024;
export const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

const alive = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * The embedded PostgreSQL of a SIGKILLed `authtrail start` keeps running (its postmaster is a
 * child process, re-parented to init): stops it as a crash would (SIGQUIT, PostgreSQL's immediate
 * shutdown: no checkpoint, WAL recovery at the next start). Returns whether one was running.
 */
export async function stopOrphanedPostgres(dataDir: string): Promise<boolean> {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return false;
  // Only a postgres serving this cluster (the pid could have been reused).
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  if (!cmdline[0]?.endsWith('postgres') || !cmdline.includes(join(dataDir, 'postgres'))) return false;
  process.kill(pid, 'SIGQUIT');
  await waitFor('the orphaned postmaster gone', async () => (alive(pid) ? undefined : true), { timeoutMs: 30_000, intervalMs: 100 });
  return true;
}
