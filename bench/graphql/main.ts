// bench/graphql: seeds 1,000,000 decisions into a private database (generate_series in SQL),
// derives the read models, then measures p50/p95 of the issue #7 questions through the full API
// (HTTP → auth → Apollo → read session → SQL) against a baseline measured in the same run: the
// same narrow query function called directly on the data source (raw SQL cost).
//
//   npx tsx bench/graphql/main.ts
//   BENCH_DECISIONS=2000000 BENCH_ITERATIONS=500 npx tsx bench/graphql/main.ts
//
// Uses DATABASE_URL's server when set (a fresh database is created on it), else an embedded
// PostgreSQL in a temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  failureStats,
  findCredentials,
  findDecisions,
  startEmbeddedPostgres,
  type QueryRunnerLike,
} from '@authtrail/read-model';
import { deriveReadModels } from '../../services/graphql-api/src/testdata/read-model.seed';
import { startTestApi, type TestApi } from '../../services/graphql-api/src/testdata/test-api.fixture';

const DECISIONS = Number(process.env['BENCH_DECISIONS'] ?? 1_000_000);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 200);
const WARMUP = 20;
const log = (line: string) => process.stdout.write(`[bench:graphql] ${line}\n`);

async function privateDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = process.env['DATABASE_URL'];
  if (server) {
    const name = `bench_graphql_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(server);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      async stop() {
        const c = new Client({ connectionString: server });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'authtrail-bench-graphql-'));
  log(`starting embedded PostgreSQL under ${dataDir}`);
  const pg = await startEmbeddedPostgres({ dataDir });
  return {
    url: pg.url,
    async stop() {
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * 1M decisions over the last 24 h: 80 % allows (2,000 users, 6,000 credentials, 6,000 internal
 * IPs: three per user), 20 % denies, of which 60 % come from 20 attacker addresses in 203.0.113.0/24 spraying
 * 100 unknown tokens and the rest are bad passwords / expired tokens of real users.
 */
async function seed(db: QueryRunnerLike, now: Date): Promise<void> {
  // Bulk load the way a restore would: secondary indexes dropped and rebuilt afterwards from their
  // own definitions (same indexes as the migration), two INSERT … SELECT halves in parallel.
  const indexes = await db.query<{ indexname: string; indexdef: string }[]>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'decision' AND indexname <> 'decision_pkey'`,
  );
  for (const index of indexes) await db.query(`DROP INDEX ${index.indexname}`);
  // A throwaway database: skip WAL for the load (reads measure the same either way).
  for (const table of ['decision', 'identity', 'credential', 'credential_source_ip', 'failure_bucket']) await db.query(`ALTER TABLE ${table} SET UNLOGGED`);
  const half = Math.ceil(DECISIONS / 2);
  await Promise.all([insertRange(db, now, 1, half), insertRange(db, now, half + 1, DECISIONS)]);
  log(`  rebuilding ${indexes.length} secondary indexes…`);
  for (let i = 0; i < indexes.length; i += 2) await Promise.all(indexes.slice(i, i + 2).map((index) => db.query(index.indexdef)));
}

async function insertRange(db: QueryRunnerLike, now: Date, from: number, to: number): Promise<void> {
  await db.query(
    `INSERT INTO decision (id, time, decision, http_status, reason, strategy, username, claimed, groups, source_ip, user_agent, endpoint,
                           credential_fingerprint, credential_type, instance, sequence, payload)
     SELECT gen_random_uuid(), t, d, CASE WHEN d = 'allow' THEN 200 ELSE 401 END, reason, strategy, username, d = 'deny' AND username IS NOT NULL,
            CASE WHEN username IS NULL THEN '{}'::text[] ELSE ARRAY['team-' || (u % 20)] END, ip, 'bench/1.0', 'forward-auth', fp, strategy,
            'bench-authn', i,
            jsonb_build_object('decision', d, 'reason', reason, 'strategy', strategy,
              'attempts', jsonb_build_array(jsonb_build_object('strategy', strategy, 'outcome', CASE WHEN d = 'allow' THEN 'authenticated' ELSE 'rejected' END)),
              'request', jsonb_build_object('endpoint', 'forward-auth', 'method', 'GET'), 'instance', 'bench-authn')
     FROM (
       SELECT i, t, u, attacker, d,
              CASE WHEN d = 'allow' THEN 'ok' WHEN attacker THEN 'unknown_token' WHEN i % 2 = 0 THEN 'invalid_password' ELSE 'token_expired' END AS reason,
              CASE WHEN attacker THEN 'static-token' WHEN u % 3 = 0 THEN 'basic-auth' WHEN u % 3 = 1 THEN 'static-token' ELSE 'oidc' END AS strategy,
              CASE WHEN attacker THEN NULL ELSE 'user-' || u END AS username,
              CASE WHEN attacker THEN ('203.0.113.' || (i % 20))::inet ELSE ('10.' || (i % 3) || '.' || (u / 250) || '.' || (u % 250 + 1))::inet END AS ip,
              CASE WHEN attacker THEN 'hmac-sha256:bench:' || md5('spray-' || (i % 100)) || md5('x') ELSE 'hmac-sha256:bench:' || md5('cred-' || (u * 3 + i % 3)) || md5('y') END AS fp
       FROM (
         SELECT i, $1::timestamptz - (i * interval '86400 seconds' / $2::int) AS t, (i * 7919) % 2000 AS u,
                (i % 5 = 0 AND i % 3 <> 0) AS attacker,
                CASE WHEN i % 5 = 0 THEN 'deny' ELSE 'allow' END AS d
         FROM generate_series($3::bigint, $4::bigint) AS i
       ) g
     ) x`,
    [now, DECISIONS, from, to],
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(name: string, run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < WARMUP; i += 1) await run();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const result = { p50: percentile(times, 50), p95: percentile(times, 95) };
  log(`${name.padEnd(44)} p50 ${result.p50.toFixed(2).padStart(8)} ms   p95 ${result.p95.toFixed(2).padStart(8)} ms`);
  return result;
}

async function main(): Promise<void> {
  const started = Date.now();
  // Latencies are only comparable on a quiet machine; the ratios to the raw-SQL baseline of the
  // same run are the robust figure when other work shares the CPUs.
  log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
  const database = await privateDatabase();
  let api: TestApi | undefined;
  try {
    const now = new Date();
    api = await startTestApi(database.url, { now: () => now });
    log(`seeding ${DECISIONS.toLocaleString('en')} decisions (generate_series)…`);
    let t = Date.now();
    await seed(api.db, now);
    log(`  inserted in ${((Date.now() - t) / 1000).toFixed(1)} s; deriving identity, credential, failure_bucket…`);
    t = Date.now();
    await deriveReadModels(api.db);
    await api.db.query('ANALYZE');
    const [counts] = await api.db.query<{ d: string; b: string; c: string }[]>(
      `SELECT (SELECT count(*) FROM decision) AS d, (SELECT count(*) FROM failure_bucket) AS b, (SELECT count(*) FROM credential) AS c`,
    );
    log(`  derived in ${((Date.now() - t) / 1000).toFixed(1)} s: ${counts!.d} decisions, ${counts!.b} failure buckets, ${counts!.c} credentials`);

    const hourAgo = new Date(now.getTime() - 3_600_000);
    const dayAgo = new Date(now.getTime() - 86_400_000);
    const staleSince = new Date(now.getTime() - 12 * 3_600_000);
    const gql = async (query: string, variables: Record<string, unknown>) => {
      const response = await api!.gql(query, variables);
      if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
      return response.body.data;
    };

    // The floor of any request: HTTP, caller auth, Apollo, one trivial query in a read session.
    const floor = await measure('GraphQL   floor: { policy { version } }', () => gql('{ policy { version } }', {}));
    const cases = [
      {
        name: 'authFailures (last hour, one IP, 50 rows)',
        target: 50,
        raw: () => findDecisions(api!.db, { decision: 'deny', from: hourAgo, sourceIp: { kind: 'exact', address: '203.0.113.7' } }, { first: 50 }),
        api: () =>
          gql(`query($from: DateTime) { authFailures(first: 50, filter: { sourceIp: "203.0.113.7", time: { from: $from } }) { edges { node { id time reason strategy sourceIp } } pageInfo { hasNextPage endCursor } } }`, {
            from: hourAgo.toISOString(),
          }),
      },
      {
        name: 'failureStats (24 h, by source IP, top 20)',
        target: 200,
        raw: () => failureStats(api!.db, { since: dayAgo, groupBy: 'source_ip', limit: 20 }),
        api: () => gql(`query($since: DateTime!) { failureStats(since: $since, groupBy: SOURCE_IP, limit: 20) { key count firstSeen lastSeen } }`, { since: dayAgo.toISOString() }),
      },
      {
        name: 'credentials (stale: not used for 12 h, 50)',
        target: 200,
        raw: () => findCredentials(api!.db, { notUsedSince: staleSince }, { first: 50 }),
        api: () =>
          gql(`query($since: DateTime) { credentials(first: 50, filter: { notUsedSince: $since }) { totalCount edges { node { fingerprint type username lastUsed useCount } } } }`, {
            since: staleSince.toISOString(),
          }),
      },
    ];

    if (process.env['BENCH_EXPLAIN']) {
      const plan = await api.db.query<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN (ANALYZE, BUFFERS) SELECT source_ip AS key, sum(count)::float8 AS count, min(first_seen), max(last_seen)
         FROM failure_bucket WHERE minute >= date_trunc('minute', $1::timestamptz) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`,
        [dayAgo],
      );
      for (const row of plan) log(`  plan: ${row['QUERY PLAN']}`);
    }
    log(`measuring ${ITERATIONS} sequential requests per query after ${WARMUP} warm-up runs`);
    const rows: string[] = [];
    for (const c of cases) {
      const raw = await measure(`raw SQL   ${c.name}`, c.raw);
      const full = await measure(`GraphQL   ${c.name}`, c.api);
      rows.push(
        `${c.name.padEnd(44)} p95 ${full.p95.toFixed(1).padStart(7)} ms (target < ${c.target} ms: ${full.p95 < c.target ? 'met' : 'MISSED'})   ` +
          `GraphQL/raw p50 ×${(full.p50 / raw.p50).toFixed(2)}`,
      );
    }
    log(`summary (baselines of this run: the same query function called on the data source; API floor p50 ${floor.p50.toFixed(1)} ms):`);
    for (const row of rows) log(`  ${row}`);
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await api?.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
