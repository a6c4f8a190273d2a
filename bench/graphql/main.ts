// bench/graphql: fills a private database with 1,000,000 decisions through the production write
// path — decision events built with libs/events' `decisionEvent` (normalisation included), encoded
// as CloudEvents, projected by the projector's own batch handler (`projectRecords`: decode,
// COPY into `decision`, the identity / credential / failure_bucket upserts, checkpoints) — then
// measures p50/p95 of the issue #7 questions through the full API (HTTP → auth → Apollo → read
// session → SQL) against a baseline measured in the same run: the same narrow query function
// called directly on the data source (raw SQL cost).
//
//   npx tsx bench/graphql/main.ts
//   BENCH_DECISIONS=2000000 BENCH_ITERATIONS=500 npx tsx bench/graphql/main.ts
//
// Uses DATABASE_URL's server when set (a fresh database is created on it), else an embedded
// PostgreSQL in a temporary directory. Filling runs at the projector's throughput (see
// bench/projector): minutes for 1M decisions on a busy 2-core machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { createFingerprinter, type DecisionData, decisionEvent, encodeEvent, eventSource, newEventId, partitionKeyOfEvent, TOPICS } from '@authtrail/events';
import {
  failureStats,
  findCredentials,
  findDecisions,
  startEmbeddedPostgres,
  type ReadModelDb,
} from '@authtrail/read-model';
import { projectRecords } from '../../services/projector/src/batch.handler';
import { startTestApi, type TestApi } from '../../services/graphql-api/src/testdata/test-api.fixture';

const DECISIONS = Number(process.env['BENCH_DECISIONS'] ?? 1_000_000);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 200);
const BATCH = 2_000;
/** Partitions projected side by side (the projector runs one batch per partition at a time). */
const PARTITIONS = 2;
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
 * IPs: three per user), 20 % denies, of which 60 % come from 20 attacker addresses in
 * 203.0.113.0/24 spraying 100 unknown tokens and the rest are bad passwords / expired tokens of
 * real users. Fingerprints are real HMACs under a random key (computed once per credential).
 */
function decisionTraffic(now: Date): (i: number) => ConsumedRecord {
  const fingerprinter = createFingerprinter({ keys: [{ id: 'bench', secret: randomBytes(32) }] });
  const credentials = Array.from({ length: 6_000 }, (_, c) => fingerprinter.fingerprint(`cred-${c}`));
  const spray = Array.from({ length: 100 }, (_, c) => fingerprinter.fingerprint(`spray-${c}`));
  const usernameHashes = Array.from({ length: 2_000 }, (_, u) => fingerprinter.usernameHash(`user-${u}`));
  const boot = newEventId(now);
  const source = eventSource('authn', 'bench-authn');
  return (i) => {
    const time = new Date(now.getTime() - Math.floor((i * 86_400_000) / DECISIONS));
    const u = (i * 7919) % 2000;
    const attacker = i % 5 === 0 && i % 3 !== 0;
    const allow = i % 5 !== 0;
    const strategy = attacker ? 'static-token' : (['basic-auth', 'static-token', 'oidc'] as const)[u % 3]!;
    const reason = allow ? 'ok' : attacker ? 'unknown_token' : i % 2 === 0 ? 'invalid_password' : 'token_expired';
    const username = `user-${u}`;
    const data: DecisionData = {
      decision: allow ? 'allow' : 'deny',
      httpStatus: allow ? 200 : 401,
      reason,
      ...(allow ? {} : { message: 'refused' }),
      strategy,
      attempts: [{ strategy, outcome: allow ? 'authenticated' : 'rejected', reason }],
      ...(allow ? { user: { username, uid: `uid-${u}`, groups: [`team-${u % 20}`], extra: {} } } : {}),
      ...(!allow && !attacker ? { claimedUsername: username, claimedUsernameHash: usernameHashes[u]! } : {}),
      credential: { type: strategy, fingerprint: attacker ? spray[i % 100]! : credentials[u * 3 + (i % 3)]! },
      request: {
        endpoint: 'forward-auth',
        sourceIp: attacker ? `203.0.113.${i % 20}` : `10.${i % 3}.${Math.floor(u / 250)}.${(u % 250) + 1}`,
        userAgent: 'bench/1.0',
        method: 'GET',
        path: '/',
        tls: true,
      },
      latencyMicros: 100,
      instance: 'bench-authn',
      boot,
      sequence: i,
    };
    const event = decisionEvent({ id: newEventId(time), time, source, data });
    const partition = i % PARTITIONS;
    return { topic: TOPICS.decisions, partition, offset: String(Math.floor((i - 1) / PARTITIONS)), key: partitionKeyOfEvent(event), value: encodeEvent(event), headers: {}, timestamp: String(time.getTime()) };
  };
}

/** Every decision through the projector's batch handler, one transaction per batch, partitions side by side. */
async function fill(db: ReadModelDb, now: Date): Promise<void> {
  // A throwaway database: skip WAL for the load (reads measure the same either way).
  for (const table of ['decision', 'identity', 'credential', 'credential_source_ip', 'failure_bucket']) await db.query(`ALTER TABLE ${table} SET UNLOGGED`);
  const record = decisionTraffic(now);
  const perPartition = Math.ceil(DECISIONS / PARTITIONS);
  let projected = 0;
  let deadLettered = 0;
  let lastReport = Date.now();
  await Promise.all(
    Array.from({ length: PARTITIONS }, async (_, partition) => {
      for (let start = 0; start < perPartition; start += BATCH) {
        const records: ConsumedRecord[] = [];
        for (let k = start; k < Math.min(start + BATCH, perPartition); k += 1) {
          const i = k * PARTITIONS + partition + 1;
          if (i <= DECISIONS) records.push(record(i));
        }
        if (records.length === 0) break;
        const nextOffset = String(Number(records.at(-1)!.offset) + 1);
        const { outcome } = await projectRecords(db, records, { groupId: 'bench-graphql', topic: TOPICS.decisions, partition, nextOffset, highWatermark: nextOffset });
        projected += outcome.projected;
        deadLettered += outcome.deadLettered;
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          log(`  ${projected.toLocaleString('en')} projected…`);
        }
      }
    }),
  );
  if (deadLettered > 0) throw new Error(`${deadLettered} generated events were not projectable`);
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
    log(`filling ${DECISIONS.toLocaleString('en')} decisions through decisionEvent → projectRecords…`);
    const t = Date.now();
    await fill(api.db, now);
    await api.db.query('ANALYZE');
    const [counts] = await api.db.query<{ d: string; b: string; c: string }[]>(
      `SELECT (SELECT count(*) FROM decision) AS d, (SELECT count(*) FROM failure_bucket) AS b, (SELECT count(*) FROM credential) AS c`,
    );
    const seconds = (Date.now() - t) / 1000;
    log(`  projected in ${seconds.toFixed(1)} s (${Math.round(DECISIONS / seconds).toLocaleString('en')} events/s): ${counts!.d} decisions, ${counts!.b} failure buckets, ${counts!.c} credentials`);

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
