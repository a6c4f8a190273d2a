// bench/graphql: the read side at scale (issues 7 and 20). Fills a private database with N
// decisions spread over D days by COPY through the production row code (load.ts: events from
// libs/events' `decisionEvent`, rows and aggregates from the projector's own functions), then
// measures p50/p95 of the questions an operator asks through the full API (HTTP → auth → Apollo →
// read session → SQL), each beside a baseline of the same run: the same query function called
// directly on the data source (raw SQL cost). The EXPLAIN (ANALYZE, BUFFERS) of every query and the
// figures are written to bench/results/graphql-<time>-<N>.md.
//
//   npm run bench graphql                                   # 1,000,000 decisions over 30 days
//   npm run bench graphql -- --decisions 50000000           # on demand: the issue-20 scale (~93 GB of PostgreSQL files, 70 min here;
//                                                           # ~12 GB on the zstd volume of compressed-volume.sh)
//   npx tsx bench/graphql/main.ts --decisions 200000 --days 30 --iterations 100
//
// Uses DATABASE_URL's server when set (a fresh database is created on it and dropped after), else an
// embedded PostgreSQL in a temporary directory (removed after). The payload column is compressed
// with lz4 from 128 bytes on (`toast_tuple_target`): a production setting worth having at this
// size (docs/read-models.md "At 50 million decisions"). Targets: p95 < 50 ms for the filtered
// lookups, < 300 ms for 30-day failure statistics, < 200 ms for the 24 h ones and stale credentials.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { DECISION_PARTITIONINGS, failureStats, findCredentials, findDecisions, findIdentitiesByUsernames, type DecisionPartitioning, type ReadModelDb } from '@authtrail/read-model';
import { startTestApi, type TestApi } from '../../services/graphql-api/src/testdata/test-api.fixture';
import { decisionTraffic, loadDecisions, TRAFFIC } from './load';
import { kafkaRecordSizes, RECORD_BATCH_HEADER_BYTES } from './record-sizes';
import { ensureDecisionPartitions, prepareDecisionStorage, storageReport } from './storage';
import { positiveInteger, privateDatabase } from '../shared/private-database';

const { values: args } = parseArgs({
  options: {
    decisions: { type: 'string', default: process.env['BENCH_DECISIONS'] ?? '1000000' },
    days: { type: 'string', default: '30' },
    iterations: { type: 'string', default: process.env['BENCH_ITERATIONS'] ?? '200' },
    partitioning: { type: 'string', default: 'monthly' },
  },
});
const DECISIONS = positiveInteger('--decisions', args.decisions);
const DAYS = positiveInteger('--days', args.days);
const ITERATIONS = positiveInteger('--iterations', args.iterations);
const PARTITIONING = args.partitioning;
if (!(DECISION_PARTITIONINGS as readonly string[]).includes(PARTITIONING)) throw new RangeError(`--partitioning must be one of ${DECISION_PARTITIONINGS.join(', ')}, got ${JSON.stringify(PARTITIONING)}`);
const WARMUP = 20;
const DAY = 86_400_000;
const log = (line: string) => process.stdout.write(`[bench:graphql] ${line}\n`);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Timing {
  readonly p50: number;
  readonly p95: number;
}

async function measure(name: string, run: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < WARMUP; i += 1) await run();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const result = { p50: percentile(times, 50), p95: percentile(times, 95) };
  log(`${name.padEnd(52)} p50 ${result.p50.toFixed(2).padStart(8)} ms   p95 ${result.p95.toFixed(2).padStart(8)} ms`);
  return result;
}

/** A data source that remembers the last statement run through it, to EXPLAIN exactly that. */
function recording(db: ReadModelDb): { db: ReadModelDb; last(): { sql: string; params: readonly unknown[] } } {
  let last = { sql: '', params: [] as readonly unknown[] };
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
      return (sql: string, params: readonly unknown[] = []) => {
        last = { sql, params };
        return target.query(sql, params as unknown[]);
      };
    },
  });
  return { db: proxy, last: () => last };
}

function commitish(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + working tree` : head;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  // The code that runs is the code at the start: a long run must not report later commits.
  const commit = commitish();
  const load = loadavg().map((l) => l.toFixed(1)).join(' / ');
  log(`machine: ${cpus().length} CPUs, load average ${load}; ${DECISIONS.toLocaleString('en')} decisions over ${DAYS} days`);
  const database = await privateDatabase('graphql', log);
  log(`data: ${database.volume}`);
  let api: TestApi | undefined;
  try {
    const now = new Date();
    api = await startTestApi(database.url, { now: () => now });
    const db = api.db;
    const made = await ensureDecisionPartitions(db, now.getTime() - DAYS * DAY, now.getTime() + 1, PARTITIONING as DecisionPartitioning);
    if (made > 0) log(`created ${made} ${PARTITIONING} partition(s) of decision for the loaded range`);
    const storage = await prepareDecisionStorage(db);
    log(`storage: ${storage}`);
    log(`loading by COPY (decisionEvent → toEncodedDecisionRow → insertDecisionCopy; startEvolution → applyReadModelChanges)…`);
    const t = Date.now();
    let lastReport = Date.now();
    await loadDecisions(db, {
      decisions: DECISIONS,
      now,
      spanMs: DAYS * DAY,
      progress: (loaded) => {
        if (Date.now() - lastReport < 30_000) return;
        lastReport = Date.now();
        const seconds = (Date.now() - t) / 1000;
        log(`  ${loaded.toLocaleString('en')} loaded (${Math.round(loaded / seconds).toLocaleString('en')}/s, load average ${loadavg()[0]!.toFixed(1)})`);
      },
    });
    const loadSeconds = (Date.now() - t) / 1000;
    log(`  loaded in ${loadSeconds.toFixed(0)} s (${Math.round(DECISIONS / loadSeconds).toLocaleString('en')} decisions/s); ANALYZE…`);
    await db.query('ANALYZE');
    const sizes = await storageReport(db, DECISIONS);
    // Kafka's share per decision, from 10,000 decisions of the same traffic (docs/capacity.md).
    const sample = decisionTraffic({ decisions: 10_000, now, spanMs: DAY });
    const records = kafkaRecordSizes(Array.from({ length: 10_000 }, (_, i) => sample(i)));
    sizes.lines.push(`Kafka bytes per decision (v2 records, uncompressed, + ${RECORD_BATCH_HEADER_BYTES} bytes per batch): ${records.map((r) => `${r.topic} value ${r.value.toFixed(0)}, record ${r.record.toFixed(0)}`).join('; ')}`);
    for (const line of sizes.lines) log(`  ${line}`);

    const dayAgo = new Date(now.getTime() - DAY);
    const hourAgo = new Date(now.getTime() - 3_600_000);
    const monthAgo = new Date(now.getTime() - 30 * DAY);
    const staleSince = new Date(now.getTime() - 12 * 3_600_000);
    const user = `user-${TRAFFIC.users / 2 + 5}`;
    const attacker = `${TRAFFIC.attackerNetwork}.7`;
    const gql = async (query: string, variables: Record<string, unknown>) => {
      const response = await api!.gql(query, variables);
      if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
      return response.body.data;
    };
    const raw = recording(db);
    const failures = (filter: string) =>
      `query($from: DateTime) { authFailures(first: 50, filter: { ${filter}, time: { from: $from } }) { edges { node { id time reason strategy sourceIp username } } pageInfo { hasNextPage endCursor } } }`;
    const stats = `query($since: DateTime!) { failureStats(since: $since, groupBy: SOURCE_IP, limit: 20) { key count firstSeen lastSeen } }`;

    // The floor of any request: HTTP, caller auth, Apollo, one trivial query in a read session.
    const floor = await measure('GraphQL   floor: { policy { version } }', () => gql('{ policy { version } }', {}));
    const cases = [
      {
        name: `authFailures (day, user ${user}, 50 rows)`,
        target: 50,
        raw: () => findDecisions(raw.db, { decision: 'deny', from: dayAgo, username: user }, { first: 50 }),
        api: () => gql(failures(`username: "${user}"`), { from: dayAgo.toISOString() }),
      },
      {
        name: `authFailures (day, IP ${attacker}, 50 rows)`,
        target: 50,
        raw: () => findDecisions(raw.db, { decision: 'deny', from: dayAgo, sourceIp: { kind: 'exact', address: attacker } }, { first: 50 }),
        api: () => gql(failures(`sourceIp: "${attacker}"`), { from: dayAgo.toISOString() }),
      },
      {
        name: 'authFailures (day, reason token_expired, 50 rows)',
        target: 50,
        raw: () => findDecisions(raw.db, { decision: 'deny', from: dayAgo, reasons: ['token_expired'] }, { first: 50 }),
        api: () => gql(failures(`reasons: ["token_expired"]`), { from: dayAgo.toISOString() }),
      },
      {
        name: `authFailures (last hour, IP ${attacker}, 50 rows)`,
        target: 50,
        raw: () => findDecisions(raw.db, { decision: 'deny', from: hourAgo, sourceIp: { kind: 'exact', address: attacker } }, { first: 50 }),
        api: () => gql(failures(`sourceIp: "${attacker}"`), { from: hourAgo.toISOString() }),
      },
      {
        name: 'failureStats (24 h, by source IP, top 20)',
        target: 200,
        raw: () => failureStats(raw.db, { since: dayAgo, groupBy: 'source_ip', limit: 20 }),
        api: () => gql(stats, { since: dayAgo.toISOString() }),
      },
      {
        name: 'failureStats (30 d, by source IP, top 20)',
        target: 300,
        raw: () => failureStats(raw.db, { since: monthAgo, groupBy: 'source_ip', limit: 20 }),
        api: () => gql(stats, { since: monthAgo.toISOString() }),
      },
      {
        name: 'failureStats (30 d, by username, top 20)',
        target: 300,
        raw: () => failureStats(raw.db, { since: monthAgo, groupBy: 'username', limit: 20 }),
        api: () => gql(stats.replace('SOURCE_IP', 'USERNAME'), { since: monthAgo.toISOString() }),
      },
      {
        name: 'credentials (stale: not used for 12 h, 50)',
        target: 200,
        raw: () => findCredentials(raw.db, { notUsedSince: staleSince }, { first: 50 }),
        api: () =>
          gql(`query($since: DateTime) { credentials(first: 50, filter: { notUsedSince: $since }) { totalCount edges { node { fingerprint type username lastUsed useCount } } } }`, {
            since: staleSince.toISOString(),
          }),
      },
      {
        name: `identity (${user})`,
        target: 50,
        raw: () => findIdentitiesByUsernames(raw.db, [user]),
        api: () => gql(`query($u: String!) { identity(username: $u) { username kind lastSeen successCount failureCount lastSourceIp } }`, { u: user }),
      },
    ];

    log(`measuring ${ITERATIONS} sequential requests per query after ${WARMUP} warm-up runs`);
    const results: { name: string; target: number; raw: Timing; api: Timing; plan: string }[] = [];
    for (const c of cases) {
      const rawTiming = await measure(`raw SQL   ${c.name}`, c.raw);
      const statement = raw.last();
      const plan = await db.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.params as unknown[]);
      const apiTiming = await measure(`GraphQL   ${c.name}`, c.api);
      results.push({ name: c.name, target: c.target, raw: rawTiming, api: apiTiming, plan: `${statement.sql.trim()}\n\n${plan.map((r) => r['QUERY PLAN']).join('\n')}` });
    }
    // What the 30-day statistics cost before the rollup: every minute bucket of the window (run once).
    const before = await db.query<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN (ANALYZE, BUFFERS) SELECT source_ip AS key, NULL::text AS hash, sum(count)::float8 AS count, min(first_seen), max(last_seen)
       FROM failure_bucket WHERE minute >= date_trunc('minute', $1::timestamptz) GROUP BY 1, 2 ORDER BY 3 DESC, 1 ASC NULLS LAST LIMIT 20`,
      [monthAgo],
    );
    const beforePlan = before.map((r) => r['QUERY PLAN']).join('\n');
    log(`  30-day failureStats from failure_bucket alone (the query before the rollup): ${/Execution Time: ([\d.]+ ms)/.exec(beforePlan)?.[1] ?? '?'} once`);
    const verdict = (r: (typeof results)[number]) => (r.api.p95 < r.target ? 'met' : 'MISSED');
    log(`summary (baselines of this run: the same query function called on the data source; API floor p50 ${floor.p50.toFixed(1)} ms):`);
    for (const r of results) {
      log(`  ${r.name.padEnd(52)} p95 ${r.api.p95.toFixed(1).padStart(7)} ms (target < ${r.target} ms: ${verdict(r)})   GraphQL/raw p50 ×${(r.api.p50 / r.raw.p50).toFixed(2)}`);
    }

    const stamp = new Date(started).toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
    const file = join(__dirname, '..', 'results', `graphql-${stamp}-${DECISIONS}.md`);
    mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
    writeFileSync(
      file,
      [
        `# bench/graphql: ${DECISIONS.toLocaleString('en')} decisions over ${DAYS} days`,
        '',
        `Run ${new Date(started).toISOString()}, commit ${commit}, ${cpus().length} CPUs, load average at the start ${load}, ${ITERATIONS} sequential requests per query after ${WARMUP} warm-up runs.`,
        `Loaded by COPY in ${loadSeconds.toFixed(0)} s (${Math.round(DECISIONS / loadSeconds).toLocaleString('en')} decisions/s). Storage: ${storage}. Data directory: ${database.volume}.`,
        '',
        ...sizes.lines.map((l) => `- ${l}`),
        '',
        '| query | GraphQL p50 ms | GraphQL p95 ms | target p95 | raw SQL p50 ms | raw SQL p95 ms |',
        '|---|---|---|---|---|---|',
        `| floor: \`{ policy { version } }\` | ${floor.p50.toFixed(1)} | ${floor.p95.toFixed(1)} | — | — | — |`,
        ...results.map((r) => `| ${r.name} | ${r.api.p50.toFixed(1)} | ${r.api.p95.toFixed(1)} | < ${r.target} (${verdict(r)}) | ${r.raw.p50.toFixed(1)} | ${r.raw.p95.toFixed(1)} |`),
        '',
        '## Plans (EXPLAIN ANALYZE, BUFFERS of the raw SQL, after the timed runs)',
        ...results.flatMap((r) => ['', `### ${r.name}`, '', '```', r.plan, '```']),
        '',
        '### For comparison: failureStats (30 d, by source IP) from failure_bucket alone, the query before the rollup (run once)',
        '',
        '```',
        beforePlan,
        '```',
        '',
      ].join('\n'),
    );
    log(`figures and plans: ${file}`);
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
