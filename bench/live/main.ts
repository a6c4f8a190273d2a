// bench/live: live queries that scale (issue 20 item 3). One graphql-api instance (its own
// process, bench/live/api.ts) with 500 concurrent `subscription { decisions }` clients (graphql-ws,
// one WebSocket each); this process projects decisions at a steady rate through the projector's
// batch handler (`projectRecords`: the production transaction, which NOTIFYs at commit) and
// measures, for every (subscriber, decision), the delivery latency from the moment the projector's
// transaction committed (its promise resolved) to the moment the subscriber received it. Both on
// one clock: this process. Every subscriber must receive every decision exactly once.
// The same run measures the old polling feed (a poll every 500 ms) as the baseline. Target: p99 < 1 s.
//
//   npm run bench live
//   npx tsx bench/live/main.ts --subscribers 500 --rate 20 --seconds 20
//
// Uses DATABASE_URL's server when set (a fresh database, dropped after), else an embedded
// PostgreSQL in a temporary directory (removed after). Writes bench/results/live-<time>.md.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { createEventIdFactory, decisionEvent, encodeEvent, eventSource } from '@authtrail/events';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { projectRecords } from '../../services/projector/src/batch.handler';
import { positiveInteger, privateDatabase } from '../shared/private-database';

const { values: args } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '500' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
    'batch-interval-ms': { type: 'string', default: '100' },
  },
});
const SUBSCRIBERS = positiveInteger('--subscribers', args.subscribers);
const RATE = positiveInteger('--rate', args.rate);
const SECONDS = positiveInteger('--seconds', args.seconds);
const BATCH_INTERVAL_MS = positiveInteger('--batch-interval-ms', args['batch-interval-ms']);
const DRAIN_TIMEOUT_MS = 20_000;
const log = (line: string) => process.stdout.write(`[bench:live] ${line}\n`);

// --- the projector side -------------------------------------------------------------------------

const newId = createEventIdFactory();
let sequence = 0;
let offset = 0;

/** A decision as authn records it, stamped now (the feeds stream what is new). */
function decisionRecord(): { id: string; record: ConsumedRecord } {
  const time = new Date();
  sequence += 1;
  const event = decisionEvent({
    id: newId(time),
    time,
    source: eventSource('authn', 'bench-live'),
    data: {
      decision: sequence % 3 === 0 ? 'deny' : 'allow',
      httpStatus: sequence % 3 === 0 ? 401 : 200,
      reason: sequence % 3 === 0 ? 'unknown_token' : 'ok',
      strategy: 'static-token',
      attempts: [{ strategy: 'static-token', outcome: sequence % 3 === 0 ? 'rejected' : 'authenticated' }],
      ...(sequence % 3 === 0 ? {} : { user: { username: `user-${sequence % 50}`, uid: `uid-${sequence % 50}`, groups: ['devs', 'system:authenticated'], extra: {} } }),
      credential: { type: 'static-token', fingerprint: `hmac-sha256:bench:${(sequence % 200).toString(16).padStart(64, '0')}` },
      request: { endpoint: 'forward-auth', sourceIp: `10.20.${sequence % 250}.${(sequence >> 8) % 250}`, userAgent: 'bench-live', method: 'GET', path: '/', tls: true },
      latencyMicros: 40,
      instance: 'bench-live',
      sequence,
    },
  });
  offset += 1;
  return { id: event.id.toLowerCase(), record: { topic: 'authtrail.decisions.v1', partition: 0, offset: String(offset), key: null, value: encodeEvent(event), headers: {}, timestamp: String(time.getTime()) } };
}

/** Projects `n` new decisions in one batch transaction; their ids and the time its commit returned. */
async function projectBatch(db: ReadModelDb, n: number): Promise<{ ids: string[]; committedAt: number }> {
  const made = Array.from({ length: n }, decisionRecord);
  await projectRecords(db, made.map((m) => m.record), undefined);
  return { ids: made.map((m) => m.id), committedAt: performance.now() };
}

// --- the API and its subscribers ------------------------------------------------------------------

interface Api {
  readonly url: string;
  readonly child: ChildProcess;
  readonly pid: number;
}

async function startApi(databaseUrl: string, feed: 'notify' | 'poll'): Promise<Api> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'api.ts'), '--database-url', databaseUrl, '--feed', feed], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the API exited with ${code} before listening`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  if (child.pid === undefined) throw new Error('the API process has no pid');
  return { url, child, pid: child.pid };
}

async function stopApi(api: Api): Promise<void> {
  const exited = new Promise((resolve) => api.child.once('exit', resolve));
  api.child.kill('SIGTERM');
  await exited;
}

/** utime + stime of a process in milliseconds (Linux /proc; clock ticks of 10 ms). */
function cpuMillisOf(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Subscriber {
  readonly client: Client;
  /** [decision id, performance.now() at receipt] in arrival order. */
  readonly received: [string, number][];
}

async function subscribeAll(apiUrl: string, n: number): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  const connected: Promise<void>[] = [];
  for (let i = 0; i < n; i += 1) {
    let up: () => void = () => undefined;
    connected.push(new Promise<void>((resolve) => (up = resolve)));
    const client = createClient({ url: `${apiUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, on: { connected: () => up() } });
    const received: [string, number][] = [];
    client.subscribe<{ decisions: { id: string } }>(
      { query: 'subscription { decisions { id } }' },
      { next: (m) => m.data && received.push([m.data.decisions.id, performance.now()]), error: (e) => log(`subscriber ${i} error: ${JSON.stringify(e)}`), complete: () => undefined },
    );
    subscribers.push({ client, received });
  }
  await Promise.all(connected);
  return subscribers;
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PhaseResult {
  readonly feed: 'notify' | 'poll';
  readonly decisions: number;
  readonly deliveries: number;
  readonly expected: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly subscribersComplete: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly apiCpuMs: number;
  readonly seconds: number;
}

async function runPhase(db: ReadModelDb, databaseUrl: string, feed: 'notify' | 'poll'): Promise<PhaseResult> {
  const api = await startApi(databaseUrl, feed);
  try {
    const subscribers = await subscribeAll(api.url, SUBSCRIBERS);
    log(`${feed}: ${SUBSCRIBERS} subscribers connected`);
    // Warm-up: a subscription is active once it received something; project until every one has.
    const warm = new Set<string>();
    for (let attempt = 0; attempt < 60 && !subscribers.every((s) => s.received.length > 0); attempt += 1) {
      for (const id of (await projectBatch(db, 1)).ids) warm.add(id);
      await sleep(1_000);
    }
    if (!subscribers.every((s) => s.received.length > 0)) throw new Error(`${feed}: not every subscriber became active`);
    await sleep(1_000);
    // Measured: RATE decisions a second for SECONDS, one batch transaction per interval.
    const committedAt = new Map<string, number>();
    const perBatch = Math.max(1, Math.round((RATE * BATCH_INTERVAL_MS) / 1000));
    const batches = Math.round((SECONDS * 1000) / BATCH_INTERVAL_MS);
    const cpuBefore = cpuMillisOf(api.pid);
    const started = performance.now();
    for (let b = 0; b < batches; b += 1) {
      const { ids, committedAt: at } = await projectBatch(db, perBatch);
      for (const id of ids) committedAt.set(id, at);
      const next = started + (b + 1) * BATCH_INTERVAL_MS;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const measured = (s: Subscriber) => s.received.filter(([id]) => committedAt.has(id)).length;
    const drainStart = performance.now();
    while (performance.now() - drainStart < DRAIN_TIMEOUT_MS && !subscribers.every((s) => measured(s) >= committedAt.size)) await sleep(100);
    // Anything delivered twice would be in by now; give it one more poll period.
    await sleep(1_000);
    const cpuAfter = cpuMillisOf(api.pid);
    const seconds = (performance.now() - started) / 1000;

    const latencies: number[] = [];
    let missing = 0;
    let duplicates = 0;
    let complete = 0;
    for (const s of subscribers) {
      const counts = new Map<string, number>();
      for (const [id, at] of s.received) {
        const commit = committedAt.get(id);
        if (commit === undefined) continue;
        const n = (counts.get(id) ?? 0) + 1;
        counts.set(id, n);
        if (n === 1) latencies.push(Math.max(0, at - commit));
        else duplicates += 1;
      }
      const lacking = committedAt.size - counts.size;
      missing += lacking;
      if (lacking === 0) complete += 1;
    }
    latencies.sort((a, b) => a - b);
    await Promise.all(subscribers.map((s) => s.client.dispose()));
    return {
      feed,
      decisions: committedAt.size,
      deliveries: latencies.length + duplicates,
      expected: committedAt.size * SUBSCRIBERS,
      missing,
      duplicates,
      subscribersComplete: complete,
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? Number.NaN,
      apiCpuMs: cpuAfter - cpuBefore,
      seconds,
    };
  } finally {
    await stopApi(api);
  }
}

function commitish(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' / ');
  log(`${SUBSCRIBERS} subscribers, ${RATE} decisions/s for ${SECONDS} s in batches every ${BATCH_INTERVAL_MS} ms; load average ${loadBefore}; ${cpus().length} cores`);
  const database = await privateDatabase('live', log);
  let db: ReadModelDb | undefined;
  const results: PhaseResult[] = [];
  try {
    await runMigrations(database.url);
    db = await openReadModel(database.url, { poolSize: 2, applicationName: 'bench-live-projector' });
    for (const feed of ['notify', 'poll'] as const) {
      const result = await runPhase(db, database.url, feed);
      results.push(result);
      log(`${feed}: ${result.deliveries}/${result.expected} deliveries, missing ${result.missing}, duplicated ${result.duplicates}; p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms; API CPU ${result.apiCpuMs} ms`);
    }
  } finally {
    await db?.destroy();
    await database.stop();
  }
  const loadAfter = loadavg().map((l) => l.toFixed(1)).join(' / ');
  const [notify, poll] = results as [PhaseResult, PhaseResult];
  const row = (r: PhaseResult, label: string) =>
    `| ${label} | ${r.decisions} | ${r.subscribersComplete}/${SUBSCRIBERS} | ${r.missing} | ${r.duplicates} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${(r.apiCpuMs / r.seconds / 10).toFixed(0)} % |`;
  const report = [
    `# bench/live — ${new Date().toISOString()}`,
    '',
    `Commit ${commitish()}, ${cpus().length} cores, load average (1/5/15 min) ${loadBefore} before, ${loadAfter} after. One graphql-api process, ${SUBSCRIBERS} graphql-ws subscribers (one WebSocket each, \`subscription { decisions { id } }\`), ${RATE} decisions/s for ${SECONDS} s, one projector batch transaction every ${BATCH_INTERVAL_MS} ms. Latency: projector commit returned → subscriber received, in ms, over every (subscriber, decision).`,
    '',
    '| feed | decisions | subscribers with every decision | missing | duplicated | p50 | p95 | p99 | max | API CPU (of one core) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    row(notify, 'LISTEN/NOTIFY (one listen connection)'),
    row(poll, 'baseline: poll every 500 ms'),
    '',
    `p99 target < 1,000 ms: ${notify.p99 < 1000 ? 'met' : 'NOT met'} (LISTEN/NOTIFY); exactly once: ${notify.missing === 0 && notify.duplicates === 0 ? 'yes' : 'NO'}.`,
    '',
  ].join('\n');
  process.stdout.write(`\n${report}\n`);
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `live-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}Z.md`);
  writeFileSync(file, report);
  log(`written to ${file}`);
  if (notify.missing > 0 || notify.duplicates > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
