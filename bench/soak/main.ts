// `npm run bench soak`: `authtrail start --config` in its embedded default (in-process bus,
// embedded PostgreSQL), started the way a user starts it, driven at a fixed rate of cached
// static-token TokenReviews for BENCH_SOAK_MINUTES by a load process of its own
// (bench/soak/rate-client.ts). Every sample window it records the product's resident memory
// (/proc/<pid>/status VmRSS of the node process), its CPU (process tree, PostgreSQL included),
// the event-loop delay authn's /metrics exposes (prom-client's monitorEventLoopDelay, reset at
// every scrape: the figures are the window's), the window's request latency, and the end-to-end
// projector lag: a probe TokenReview (User-Agent `authtrail-soak-probe/<n>`) whose
// X-Authtrail-Decision-Id is polled through GraphQL `decision(id)` until it is visible.
// Writes bench/results/soak-<time>.md (every sample, the summary, the flatness verdicts) and
// soak-<time>.svg (RSS, p99, event-loop delay and lag over time). Issue #16: RSS and p99 flat
// after warm-up. A control runs beside it the whole time: a second rate client against a bare
// node:http handler (bench/soak/control-server.ts), so each window's product p99 can be read
// against what the machine and the load client alone cost in that window; and a CPU-speed probe
// (bench/soak/cpu-speed-probe.ts) times a fixed CPU-only workload, so a window in which the
// machine itself ran slower shows as such.
//
//   BENCH_SOAK_MINUTES=30  BENCH_SOAK_RATE=500 (requests/s)  BENCH_SOAK_SAMPLE_SECONDS=10
//   BENCH_SOAK_CONNECTIONS=16  BENCH_SOAK_LAG_TIMEOUT_SECONDS=300  BENCH_RESULTS_DIR=bench/results
//   BENCH_SOAK_CONTROL_RATE=100 (requests/s to the control handler, over 4 connections)
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { embeddedPostgresUrl } from '@authtrail/testing';
import { MiB, ROOT, metricValue, ownCpuSeconds, rssBytes, startProduct, treeCpuSeconds, type Product } from '../embedded/product';
import type { WindowReport } from './rate-client';
import { lineChartSvg } from './svg-chart';

const MINUTES = Number(process.env['BENCH_SOAK_MINUTES'] ?? 30);
const RATE = Number(process.env['BENCH_SOAK_RATE'] ?? 500);
const SAMPLE_SECONDS = Number(process.env['BENCH_SOAK_SAMPLE_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_SOAK_CONNECTIONS'] ?? 16);
const LAG_TIMEOUT_SECONDS = Number(process.env['BENCH_SOAK_LAG_TIMEOUT_SECONDS'] ?? 300);
const CONTROL_RATE = Number(process.env['BENCH_SOAK_CONTROL_RATE'] ?? 100);
const CONTROL_CONNECTIONS = 4;
const RESULTS_DIR = resolve(ROOT, process.env['BENCH_RESULTS_DIR'] ?? 'bench/results');
/** Probes polling at once; a sample taken while this many are still invisible sends none. */
const MAX_PENDING_PROBES = 3;
const WARM_UP_SHARE = 0.2;
const RSS_TOLERANCE = { share: 0.1, absolute: 32 * MiB };
const P99_TOLERANCE = { share: 0.1, absolute: 1 };
/** prom-client's monitorEventLoopDelay resolution (ms): an idle loop reads about this much. */
const LOOP_RESOLUTION_MS = 10;
const METRIC = 'authtrail_authn_';
const log = (line: string) => console.log(`[bench/soak] ${line}`);

interface Probe {
  readonly number: number;
  readonly sentAt: number;
  answeredAt?: number;
  decisionId?: string;
  /** ms from the answer to the decision being visible through GraphQL. */
  lagMs?: number;
  /** Why there is no lag figure. */
  failure?: string;
  done: Promise<void>;
}

interface Sample {
  readonly index: number;
  /** Minutes since the load started. */
  readonly minutes: number;
  readonly load: WindowReport;
  /** The control's window: the same client against a bare node:http handler. */
  readonly control: WindowReport | undefined;
  /** Median time of the probe's fixed CPU workload in the window (ms): higher = a slower machine. */
  readonly cpuProbeMs: number | null;
  readonly rssBytes: number | null;
  /** V8 heap in use (prom-client's nodejs_heap_size_used_bytes): a leak shows here before RSS. */
  readonly heapUsedBytes: number | null;
  /** CPU of the product's process tree over the window, in cores. */
  readonly cpuCores: number | null;
  /** Of that, the node process itself (the rest is embedded PostgreSQL). */
  readonly nodeCpuCores: number | null;
  readonly postgres: PostgresCounters | null;
  readonly loopP99Ms: number | null;
  readonly loopMaxMs: number | null;
  readonly decisionsTotal: number | null;
  readonly probe?: Probe;
}

/** What PostgreSQL did so far: growth of the decision table and maintenance that costs CPU. */
interface PostgresCounters {
  readonly decisionBytes: number;
  /** autovacuum + autoanalyze runs on the decision table. */
  readonly decisionMaintenance: number;
  readonly checkpoints: number;
}

const POSTGRES_COUNTERS = `SELECT pg_total_relation_size('decision') AS "decisionBytes",
  (SELECT autovacuum_count + autoanalyze_count FROM pg_stat_user_tables WHERE relname = 'decision') AS "decisionMaintenance",
  (SELECT num_timed + num_requested FROM pg_stat_checkpointer) AS checkpoints`;

async function postgresCounters(client: Client): Promise<PostgresCounters | null> {
  const { rows } = await client.query<Record<keyof PostgresCounters, string>>(POSTGRES_COUNTERS).catch(() => ({ rows: [] }));
  const row = rows[0];
  return row ? { decisionBytes: Number(row.decisionBytes), decisionMaintenance: Number(row.decisionMaintenance), checkpoints: Number(row.checkpoints) } : null;
}

const median = (values: readonly number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const percentileOf = (values: readonly number[], p: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
};
/** Pearson's r of paired values: how far the product's p99 moves with the control's. */
function correlation(pairs: readonly (readonly [number, number])[]): number | null {
  if (pairs.length < 3) return null;
  const mean = (pick: 0 | 1) => pairs.reduce((sum, pair) => sum + pair[pick], 0) / pairs.length;
  const [mx, my] = [mean(0), mean(1)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}
/** ` (ECONNRESET × 1, …)` over every window, or nothing. */
function errorCodes(samples: readonly Sample[]): string {
  const total = new Map<string, number>();
  for (const sample of samples) for (const [code, count] of Object.entries(sample.load.errorCodes)) total.set(code, (total.get(code) ?? 0) + count);
  return total.size === 0 ? '' : ` (${[...total].map(([code, count]) => `${code} × ${count}`).join(', ')})`;
}
const fmt = (value: number | null | undefined, digits = 0) => (value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));
const mib = (bytes: number | null | undefined) => fmt(bytes === null || bytes === undefined ? null : bytes / MiB);

async function fetchWithTimeout(url: string, init: RequestInit = {}, timeoutMs = 5_000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

interface Flatness {
  readonly verdict: 'flat' | 'NOT flat' | 'too few samples';
  readonly firstMedian: number | null;
  readonly lastMedian: number | null;
  readonly allowance: number | null;
}

/** Post-warm-up samples: is the median of the last third at most the first third's median plus the allowance? */
function flatness(values: readonly number[], tolerance: { share: number; absolute: number }): Flatness {
  const third = Math.floor(values.length / 3);
  if (third < 1) return { verdict: 'too few samples', firstMedian: null, lastMedian: null, allowance: null };
  const firstMedian = median(values.slice(0, third));
  const lastMedian = median(values.slice(-third));
  if (firstMedian === null || lastMedian === null) return { verdict: 'too few samples', firstMedian, lastMedian, allowance: null };
  const allowance = Math.max(firstMedian * tolerance.share, tolerance.absolute);
  return { verdict: lastMedian <= firstMedian + allowance ? 'flat' : 'NOT flat', firstMedian, lastMedian, allowance };
}

async function main(): Promise<void> {
  const started = new Date();
  const windows = Math.max(1, Math.round((MINUTES * 60) / SAMPLE_SECONDS));
  const dir = mkdtempSync(join(tmpdir(), 'bench-soak-'));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must reach the data directory.
  chmodSync(dir, 0o755);
  let product: Product | undefined;
  let client: ChildProcess | undefined;
  const controls: ChildProcess[] = [];
  let cleaning: Promise<void> | undefined;
  let interrupted = false;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const child of [client, ...controls]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await product?.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    log(`${signal}: stopping the load and the product …`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const token = randomBytes(24).toString('hex');
    const adminToken = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},soak-user,uid-soak,"bench,devs"\n${adminToken},soak-admin,uid-soak-admin,"authtrail:admins"\n`);
    const config = {
      dataDir: join(dir, 'data'),
      authn: { instance: 'bench-soak', http: { port: 0, host: '127.0.0.1' }, strategies: [{ id: 'static-token', tokenFile: join(dir, 'tokens.csv') }] },
      graphql: { port: 0, host: '127.0.0.1', adminGroups: ['authtrail:admins'] },
      events: { mode: 'buffered' },
      log: { level: 'warn' },
    };
    writeFileSync(join(dir, 'authtrail.yaml'), JSON.stringify(config, null, 2));

    log(`authtrail start --config … (embedded: in-process bus, embedded PostgreSQL)`);
    const running = await startProduct({ name: 'authtrail start', configFile: join(dir, 'authtrail.yaml'), progress: (line) => log(`product: ${line}`) });
    product = running;
    log(`running (pid ${running.pid}), authn ${running.authnUrl}, GraphQL ${running.graphqlUrl}`);
    const deadline = Date.now() + 120_000;
    while ((await fetchWithTimeout(`${running.authnUrl}/readyz`).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`authn not ready within 120 s\n${running.tail().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const reviewUrl = `${running.authnUrl}/apis/authentication.k8s.io/v1/tokenreviews`;
    const reviewBody = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    const gql = async <T>(query: string, variables: Record<string, unknown> = {}, timeoutMs = 5_000): Promise<T> => {
      const response = await fetchWithTimeout(running.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ query, variables }) }, timeoutMs);
      const body = (await response.json()) as { data?: T; errors?: { message?: string; extensions?: { code?: string } }[] };
      if (!response.ok || body.errors) throw new Error(`GraphQL ${response.status}: ${(body.errors ?? []).map((e) => e.extensions?.code ?? e.message).join(', ')}`);
      return body.data as T;
    };
    const metrics = async () => (await fetchWithTimeout(`${running.authnUrl}/metrics`)).text();

    // ---- the lag probe ------------------------------------------------------------------------
    const probes: Probe[] = [];
    const pending = () => probes.filter((p) => p.lagMs === undefined && p.failure === undefined);
    const startProbe = (): Probe => {
      const probe: Probe = { number: probes.length + 1, sentAt: performance.now(), done: Promise.resolve() };
      probes.push(probe);
      probe.done = (async () => {
        try {
          const response = await fetchWithTimeout(reviewUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': `authtrail-soak-probe/${probe.number}` }, body: reviewBody }, 30_000);
          await response.arrayBuffer();
          probe.answeredAt = performance.now();
          const id = response.headers.get('x-authtrail-decision-id');
          if (!id) throw new Error(`no X-Authtrail-Decision-Id (HTTP ${response.status})`);
          probe.decisionId = id;
          const until = probe.answeredAt + LAG_TIMEOUT_SECONDS * 1000;
          for (;;) {
            const found = await gql<{ decision: { id: string } | null }>('query ($id: ID!) { decision(id: $id) { id } }', { id }).catch((error: unknown) => {
              if (performance.now() > until) throw error;
              return { decision: null };
            });
            if (found.decision) {
              probe.lagMs = performance.now() - probe.answeredAt;
              return;
            }
            const waited = performance.now() - probe.answeredAt;
            if (performance.now() > until) throw new Error(`not visible within ${LAG_TIMEOUT_SECONDS} s`);
            // ~10 % precision without polling a slow projector hard: 20 ms … 1 s between polls.
            await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(20, waited / 10))));
          }
        } catch (error) {
          probe.failure = error instanceof Error ? error.message.split('\n')[0] : String(error);
        }
      })();
      return probe;
    };

    // One probe before the load: GraphQL answers and the trail works at all.
    const first = startProbe();
    await first.done;
    if (first.lagMs === undefined) throw new Error(`probe before the load failed: ${first.failure}\n${running.tail().slice(-4000)}`);
    log(`probe before the load: visible through GraphQL after ${first.lagMs.toFixed(0)} ms`);
    probes.length = 0;

    // ---- the control: a bare handler and its own rate client --------------------------------
    const controlServer = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'control-server.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    controls.push(controlServer);
    const controlPort = await new Promise<number>((resolvePort, reject) => {
      createInterface({ input: controlServer.stdout }).once('line', (line) => resolvePort(Number(line.replace('listening ', ''))));
      controlServer.once('exit', (code) => reject(new Error(`the control server exited (${code}) before listening`)));
    });
    const controlReports = new Map<number, WindowReport>();
    const cpuProbe = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'cpu-speed-probe.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    controls.push(cpuProbe);
    const cpuProbeAnswers = createInterface({ input: cpuProbe.stdout })[Symbol.asyncIterator]();
    /** The probe's median since the last call. */
    const cpuProbeMs = async (): Promise<number | null> => {
      cpuProbe.stdin.write('\n');
      const answer = await cpuProbeAnswers.next();
      return answer.done ? null : (JSON.parse(answer.value) as number | null);
    };

    // ---- the load and the samples -------------------------------------------------------------
    const postgres = new Client({ connectionString: embeddedPostgresUrl(config.dataDir) });
    await postgres.connect();
    await metrics(); // resets the event-loop histogram: the first window starts now
    let cpuBefore = treeCpuSeconds(running.pid);
    let nodeCpuBefore = ownCpuSeconds(running.pid);
    let cpuAt = performance.now();
    log(`load: ${RATE} requests/s over ${CONNECTIONS} kept-alive connections for ${MINUTES} min, a sample every ${SAMPLE_SECONDS} s (${windows} samples)`);
    const rateClient = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'rate-client.ts'), JSON.stringify({ url: reviewUrl, headers: { 'content-type': 'application/json', 'user-agent': 'authtrail-soak' }, body: reviewBody, rate: RATE, connections: CONNECTIONS, sampleSeconds: SAMPLE_SECONDS, windows })], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    client = rateClient;
    const controlClient = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'rate-client.ts'), JSON.stringify({ url: `http://127.0.0.1:${controlPort}/apis/authentication.k8s.io/v1/tokenreviews`, headers: { 'content-type': 'application/json', 'user-agent': 'authtrail-soak-control' }, body: reviewBody, rate: CONTROL_RATE, connections: CONTROL_CONNECTIONS, sampleSeconds: SAMPLE_SECONDS, windows })], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    controls.push(controlClient);
    createInterface({ input: controlClient.stdout }).on('line', (line) => {
      if (!line.trim()) return;
      const report = JSON.parse(line) as WindowReport;
      controlReports.set(report.window, report);
    });
    // The two clients started together: the control's window n ends within moments of the load's.
    const controlWindow = async (window: number): Promise<WindowReport | undefined> => {
      for (let waited = 0; !controlReports.has(window) && waited < 2_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      return controlReports.get(window);
    };
    let aborted: string | undefined;
    const onProductExit = () => {
      aborted = `the product exited (${running.child.exitCode ?? running.child.signalCode}) during the soak`;
      log(`ABORTED: ${aborted}\n${running.tail().slice(-4000)}`);
      rateClient.kill('SIGTERM');
    };
    running.child.once('exit', onProductExit);

    const samples: Sample[] = [];
    for await (const line of createInterface({ input: rateClient.stdout })) {
      if (!line.trim()) continue;
      const load = JSON.parse(line) as WindowReport;
      const now = performance.now();
      const cpuNow = treeCpuSeconds(running.pid);
      const nodeCpuNow = ownCpuSeconds(running.pid);
      const cpuCores = (cpuNow - cpuBefore) / ((now - cpuAt) / 1000);
      const nodeCpuCores = (nodeCpuNow - nodeCpuBefore) / ((now - cpuAt) / 1000);
      cpuBefore = cpuNow;
      nodeCpuBefore = nodeCpuNow;
      cpuAt = now;
      const rss = rssBytes(running.pid) ?? null;
      const text = await metrics().catch(() => undefined);
      const seconds = (name: string) => {
        const value = text === undefined ? undefined : metricValue(text, name);
        return value === undefined ? null : value * 1000;
      };
      const probe = pending().length < MAX_PENDING_PROBES ? startProbe() : undefined;
      const counters = await postgresCounters(postgres);
      const control = await controlWindow(load.window);
      const probeMs = await cpuProbeMs();
      const sample: Sample = {
        index: samples.length + 1,
        minutes: load.at / 60,
        load,
        control,
        cpuProbeMs: probeMs,
        rssBytes: rss,
        heapUsedBytes: text === undefined ? null : (metricValue(text, 'nodejs_heap_size_used_bytes') ?? null),
        cpuCores,
        nodeCpuCores,
        postgres: counters,
        loopP99Ms: seconds('nodejs_eventloop_lag_p99_seconds'),
        loopMaxMs: seconds('nodejs_eventloop_lag_max_seconds'),
        decisionsTotal: text === undefined ? null : (metricValue(text, `${METRIC}decisions_total`) ?? null),
        ...(probe ? { probe } : {}),
      };
      samples.push(sample);
      const lastLag = [...probes].reverse().find((p) => p.lagMs !== undefined);
      const oldestPending = pending()[0];
      log(
        `${String(sample.index).padStart(String(windows).length)}/${windows} ${sample.minutes.toFixed(1)} min: ` +
          `${(load.completed / SAMPLE_SECONDS).toFixed(0)} req/s, p99 ${fmt(load.p99, 1)} ms (control ${fmt(control?.p99, 1)} ms, CPU probe ${fmt(probeMs, 2)} ms), RSS ${mib(rss)} MiB (heap ${mib(sample.heapUsedBytes)}), CPU ${fmt(cpuCores * 100)} % (node ${fmt(nodeCpuCores * 100)} %), ` +
          `loop p99 ${fmt(sample.loopP99Ms, 1)} ms, decision table ${mib(counters?.decisionBytes)} MiB (${fmt(counters?.decisionMaintenance)} autovacuum/analyze, ${fmt(counters?.checkpoints)} checkpoints), lag ${lastLag ? `${fmt(lastLag.lagMs)} ms (probe ${lastLag.number})` : '–'}` +
          `${oldestPending && oldestPending !== probe ? `, probe ${oldestPending.number} not visible after ${((now - oldestPending.sentAt) / 1000).toFixed(0)} s` : ''}` +
          `${load.non2xx || load.errors ? `, non-2xx ${load.non2xx}, errors ${load.errors} ${JSON.stringify(load.errorCodes)}` : ''}${load.skipped ? `, ${load.skipped} not sent (${load.inFlight} in flight)` : ''}`,
      );
    }
    running.child.off('exit', onProductExit);
    await postgres.end();
    if (interrupted) return;
    const loadSeconds = samples.length * SAMPLE_SECONDS;

    if (!aborted) {
      const open = pending();
      if (open.length > 0) log(`waiting for ${open.length} probe(s) to become visible (at most ${LAG_TIMEOUT_SECONDS} s each) …`);
    }
    await Promise.all(probes.map((p) => p.done));
    let endMetrics: string | undefined;
    let projected: number | undefined;
    if (!aborted) {
      endMetrics = await metrics().catch(() => undefined);
      projected = await gql<{ decisions: { totalCount: number } }>('{ decisions { totalCount } }', {}, 60_000)
        .then((d) => d.decisions.totalCount)
        .catch((error: unknown) => (log(`decisions.totalCount: ${error instanceof Error ? error.message : String(error)}`), undefined));
    }

    // ---- summary ------------------------------------------------------------------------------
    const warmUp = Math.ceil(samples.length * WARM_UP_SHARE);
    const post = samples.slice(warmUp);
    const values = (list: readonly Sample[], pick: (s: Sample) => number | null | undefined) => list.map(pick).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const rssFlat = flatness(values(post, (s) => s.rssBytes), RSS_TOLERANCE);
    const p99Flat = flatness(values(post, (s) => s.load.p99), P99_TOLERANCE);
    const controlFlat = flatness(values(post, (s) => s.control?.p99), P99_TOLERANCE);
    const p99WithProbe = correlation(post.flatMap((s) => (s.load.p99 !== null && s.cpuProbeMs !== null ? [[s.load.p99, s.cpuProbeMs] as const] : [])));
    const nodeCpuWithProbe = correlation(post.flatMap((s) => (s.nodeCpuCores !== null && s.cpuProbeMs !== null ? [[s.nodeCpuCores, s.cpuProbeMs] as const] : [])));
    const p99WithControl = correlation(post.flatMap((s) => (s.load.p99 !== null && typeof s.control?.p99 === 'number' ? [[s.load.p99, s.control.p99] as const] : [])));
    const lags = probes.map((p) => p.lagMs).filter((v): v is number => v !== undefined);
    const lagFailures = probes.filter((p) => p.failure !== undefined);
    const completed = samples.reduce((n, s) => n + s.load.completed, 0);
    const sum = (pick: (s: Sample) => number) => samples.reduce((n, s) => n + pick(s), 0);
    const authnDecisions = endMetrics ? metricValue(endMetrics, `${METRIC}decisions_total`) : samples.at(-1)?.decisionsTotal ?? undefined;
    const firstPost = post[0];
    const lastSample = samples.at(-1);
    const maxRss = Math.max(...values(samples, (s) => s.rssBytes), 0);
    const rule = `warm-up = the first ${WARM_UP_SHARE * 100} % of samples (${warmUp} of ${samples.length}); "flat" = the median of the last third of the post-warm-up samples is at most the median of their first third plus max(10 %, 32 MiB) for RSS, plus max(10 %, 1 ms) for p99 (a fall counts as flat)`;
    const flatLine = (name: string, f: Flatness, unit: (v: number | null) => string) =>
      `${name}: ${f.verdict}${f.firstMedian !== null ? ` (first-third median ${unit(f.firstMedian)}, last-third median ${unit(f.lastMedian)}, allowed up to ${unit(f.firstMedian + (f.allowance ?? 0))})` : ''}`;
    const rssUnit = (v: number | null) => `${mib(v)} MiB`;
    const msUnit = (v: number | null) => `${fmt(v, 1)} ms`;

    const stamp = started.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
    let commit = 'unknown';
    try {
      const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      commit = git('rev-parse', '--short', 'HEAD');
      if (git('status', '--porcelain', '--untracked-files=no')) commit += ' (with uncommitted changes)';
    } catch {
      // not a git checkout
    }
    const md: string[] = [
      `# Soak of \`authtrail start\` (embedded), ${started.toISOString()}`,
      '',
      `${aborted ? `**ABORTED: ${aborted}.**\n\n` : ''}Cached static-token TokenReview at ${RATE} requests/s (fixed rate, ${CONNECTIONS} kept-alive connections, a load process of its own) for ${(loadSeconds / 60).toFixed(1)} of ${MINUTES} min; a sample every ${SAMPLE_SECONDS} s. ` +
        `Product: \`node --import tsx tools/cli/src/main.ts start --config …\`, in-process bus, embedded PostgreSQL, \`events.mode: buffered\`, log level warn. ` +
        `Commit ${commit}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}.`,
      '',
      '## Summary',
      '',
      `| figure | value |`,
      `|---|---|`,
      `| RSS after warm-up: first / last / max (all samples) | ${mib(firstPost?.rssBytes)} / ${mib(lastSample?.rssBytes)} / ${mib(maxRss)} MiB |`,
      `| p99 latency after warm-up: first / last | ${fmt(firstPost?.load.p99, 1)} / ${fmt(lastSample?.load.p99, 1)} ms |`,
      `| control p99 after warm-up (bare node:http handler, the same client, ${CONTROL_RATE} requests/s): median / max | ${fmt(median(values(post, (s) => s.control?.p99)), 1)} / ${fmt(Math.max(...values(post, (s) => s.control?.p99), 0), 1)} ms |`,
      `| correlation of the product's p99 with the control's, per window after warm-up (Pearson r) | ${fmt(p99WithControl, 2)} |`,
      `| CPU-speed probe (a fixed CPU-only workload, fastest of 5 every 2 s, median per window): min / median / max | ${fmt(Math.min(...values(post, (s) => s.cpuProbeMs)), 2)} / ${fmt(median(values(post, (s) => s.cpuProbeMs)), 2)} / ${fmt(Math.max(...values(post, (s) => s.cpuProbeMs)), 2)} ms |`,
      `| correlation per window after warm-up (Pearson r): the product's p99 with the probe / the node process's CPU with the probe | ${fmt(p99WithProbe, 2)} / ${fmt(nodeCpuWithProbe, 2)} |`,
      `| event-loop delay p99 after warm-up: median / max | ${fmt(median(values(post, (s) => s.loopP99Ms)), 1)} / ${fmt(Math.max(...values(post, (s) => s.loopP99Ms), 0), 1)} ms |`,
      `| projector lag (answer → visible in GraphQL): p50 / max | ${fmt(median(lags))} / ${fmt(lags.length ? Math.max(...lags) : null)} ms over ${lags.length} probes${lagFailures.length ? `; ${lagFailures.length} failed (${[...new Set(lagFailures.map((p) => p.failure))].join('; ')})` : ''} |`,
      `| requests answered (load) / achieved rate | ${completed} / ${(completed / Math.max(1, loadSeconds)).toFixed(0)} per s |`,
      `| non-2xx / errors / not sent (client backlog full) | ${sum((s) => s.load.non2xx)} / ${sum((s) => s.load.errors)}${errorCodes(samples)} / ${sum((s) => s.load.skipped)} |`,
      `| decisions made by authn (\`authtrail_authn_decisions_total\`) | ${fmt(authnDecisions)} |`,
      `| decisions projected (GraphQL \`decisions.totalCount\`, authn's and the API's own callers) | ${fmt(projected)} |`,
      '',
      `- ${flatLine('RSS', rssFlat, rssUnit)}`,
      `- ${flatLine('p99 latency', p99Flat, msUnit)}`,
      `- ${flatLine('control p99 (the machine and client alone)', controlFlat, msUnit)}`,
      `- Rule: ${rule}.`,
      `- Event-loop delay: \`nodejs_eventloop_lag_p99_seconds\` / \`_max_seconds\` on authn's /metrics (prom-client, \`monitorEventLoopDelay\` with a ${LOOP_RESOLUTION_MS} ms resolution, reset at every scrape, so one figure per window); the figures include that ${LOOP_RESOLUTION_MS} ms sampling interval: an idle loop reads about ${LOOP_RESOLUTION_MS} ms.`,
      `- Lag: a probe TokenReview per sample (User-Agent \`authtrail-soak-probe/<n>\`), from its answer until GraphQL \`decision(id)\` with its \`X-Authtrail-Decision-Id\` returns it (polled every 20 ms … 1 s, ~10 % precision); at most ${MAX_PENDING_PROBES} probes pending at once.`,
      `- RSS: VmRSS of the node process (embedded PostgreSQL not included); CPU: the whole process tree, PostgreSQL included, in % of one core, and of that the node process alone.`,
      '',
      '## Samples',
      '',
      '| # | min | req/s | p50 ms | p99 ms | max ms | control p99 ms | CPU probe ms | non-2xx / errors | not sent | RSS MiB | heap used MiB | CPU % | node CPU % | loop p99 ms | loop max ms | lag ms | decision table MiB | its autovacuum + analyze runs | checkpoints |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...samples.map(
        (s) =>
          `| ${s.index}${s.index <= warmUp ? ' (warm-up)' : ''} | ${s.minutes.toFixed(2)} | ${(s.load.completed / SAMPLE_SECONDS).toFixed(0)} | ${fmt(s.load.p50, 1)} | ${fmt(s.load.p99, 1)} | ${fmt(s.load.max, 1)} | ${fmt(s.control?.p99, 1)} | ${fmt(s.cpuProbeMs, 2)} | ${s.load.non2xx} / ${s.load.errors} | ${s.load.skipped} | ${mib(s.rssBytes)} | ${mib(s.heapUsedBytes)} | ${fmt((s.cpuCores ?? NaN) * 100)} | ${fmt((s.nodeCpuCores ?? NaN) * 100)} | ${fmt(s.loopP99Ms, 1)} | ${fmt(s.loopMaxMs, 1)} | ${s.probe ? (s.probe.lagMs !== undefined ? fmt(s.probe.lagMs) : `failed: ${s.probe.failure}`) : 'no probe (3 pending)'} | ${mib(s.postgres?.decisionBytes)} | ${fmt(s.postgres?.decisionMaintenance)} | ${fmt(s.postgres?.checkpoints)} |`,
      ),
      '',
    ];

    const point = (pick: (s: Sample) => number | null | undefined) => samples.map((s) => [s.minutes, pick(s) ?? null] as const);
    const svg = lineChartSvg({
      title: `authtrail start (embedded): soak at ${RATE} requests/s, ${(loadSeconds / 60).toFixed(1)} min`,
      subtitle: `${started.toISOString()} · commit ${commit} · RSS ${rssFlat.verdict}, p99 ${p99Flat.verdict} after warm-up${aborted ? ' · ABORTED' : ''}`,
      xLabel: 'minutes since the load started',
      marker: warmUp > 0 && samples[warmUp - 1] ? { x: samples[warmUp - 1]?.minutes ?? 0, label: 'end of warm-up' } : undefined,
      panels: [
        { title: 'RSS of the product process', unit: 'MiB', color: '#1f77b4', points: point((s) => (s.rssBytes === null ? null : s.rssBytes / MiB)) },
        { title: 'TokenReview latency p99 per window', unit: 'ms', color: '#d62728', points: point((s) => s.load.p99) },
        { title: 'CPU-speed probe: time of a fixed CPU-only workload (higher = a slower machine)', unit: 'ms', color: '#8c564b', points: point((s) => s.cpuProbeMs) },
        { title: `control: a bare node:http handler, the same client, ${CONTROL_RATE} requests/s — p99 per window`, unit: 'ms', color: '#ff7f0e', points: point((s) => s.control?.p99) },
        { title: `event-loop delay p99 per window (includes the ${LOOP_RESOLUTION_MS} ms sampling interval)`, unit: 'ms', color: '#2ca02c', points: point((s) => s.loopP99Ms) },
        { title: 'projector lag: answer → visible through GraphQL', unit: 'ms', color: '#9467bd', points: point((s) => s.probe?.lagMs) },
      ],
    });

    mkdirSync(RESULTS_DIR, { recursive: true });
    const mdFile = join(RESULTS_DIR, `soak-${stamp}.md`);
    const svgFile = join(RESULTS_DIR, `soak-${stamp}.svg`);
    writeFileSync(mdFile, md.join('\n').replace(`## Samples`, `![soak chart](soak-${stamp}.svg)\n\n## Samples`));
    writeFileSync(svgFile, svg);

    console.log('');
    log(`${completed} requests in ${(loadSeconds / 60).toFixed(1)} min; RSS after warm-up ${mib(firstPost?.rssBytes)} → ${mib(lastSample?.rssBytes)} MiB (max ${mib(maxRss)}); p99 ${fmt(firstPost?.load.p99, 1)} → ${fmt(lastSample?.load.p99, 1)} ms; lag p50 ${fmt(median(lags))} ms, p95 ${fmt(percentileOf(lags, 95))} ms, max ${fmt(lags.length ? Math.max(...lags) : null)} ms`);
    log(flatLine('RSS', rssFlat, rssUnit));
    log(flatLine('p99 latency', p99Flat, msUnit));
    log(`${flatLine('control p99', controlFlat, msUnit)}; correlation of p99 with the control per window: ${fmt(p99WithControl, 2)}; with the CPU-speed probe: ${fmt(p99WithProbe, 2)} (node CPU with the probe: ${fmt(nodeCpuWithProbe, 2)})`);
    log(`rule: ${rule}`);
    log(`wrote ${relative(process.cwd(), mdFile)} and ${relative(process.cwd(), svgFile)}`);
    if (aborted) process.exitCode = 1;
  } finally {
    log('stopping …');
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
