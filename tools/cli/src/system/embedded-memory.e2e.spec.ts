// Issue #16, Deliver 1: bounded memory whatever the uptime. 1,000,000 cached static-token
// TokenReviews (AUTHTRAIL_MEMORY_TEST_DECISIONS) through the embedded stack as a user runs it
// (`authtrail start --config FILE`: embedded PostgreSQL and the in-process bus), from autocannon
// in a process of its own. The product's resident set size is read from /proc/<pid>/status every
// second, from the first request until every decision is in the read model.
//
// - RSS flat after warm-up: warm-up is until the first 20 % of the decisions were answered (the
//   in-memory tail of `retainRecords` records fills, caches, pools and the JIT settle). The largest
//   RSS over the rest of the run — the load and the projector's catch-up after it — may exceed the
//   largest during warm-up by RSS_GROWTH_BOUND at most. Why 192 MiB: before issue #16 the product
//   grew by ~10 KB per decision (persisted in-process topics were never trimmed; measured here:
//   +1.15 GiB over the 120,000 decisions after a 30,000 warm-up): ~8 GB over the 800,000 decisions
//   after warm-up. A bounded product only sees the V8 heap and its Buffers breathe: flat within
//   ±10 MiB during the load (~370 MiB), then +60–110 MiB while the projector and the exporter catch
//   up from disk the 300,000–500,000 records they fell behind (2 MiB read chunks; the most on a
//   two-core box shared with other work). 192 MiB leaves room for that and sits 40× below the
//   unbounded growth; it still catches a leak of ≥ 250 bytes per decision.
// - Every decision reached the read model: the load user's `successCount` and its number of
//   decisions equal the number sent.
// - The on-disk bus stays bounded: `events.inProcess.retainRecords` and `segmentBytes` are small,
//   so consumed old segments must be deleted. At the end (everything projected and exported)
//   each partition directory of `<dataDir>/bus` holds at most the newest `retainRecords` records
//   plus the segment they begin in and the segment being written:
//   retainRecords × RECORD_BYTES_BOUND + 2 × segmentBytes (RECORD_BYTES_BOUND: a decision of this
//   test takes 0.8–1.2 KB on disk, frame included; 4 KiB is a generous upper bound), plus 1 MiB for the
//   committed offsets under `groups/`. 1,000,000 records kept would be ~0.8 GB. (While the
//   projector lags — it did by 300,000–500,000 records at the end of the load — the unconsumed
//   records stay on disk: the size during the run is printed, not asserted.)
//
// Expected duration: 7–11 min on a two-core box (embedded start ~20 s; the load at 2,000–3,000
// decisions/s: 5.5–8.5 min; the projector's catch-up 0.5–2 min). Jest timeout: 25 min. Progress
// is printed to stderr every 100,000 decisions (RSS, bus directory size, rate).
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitFor } from '@authtrail/testing';
import { directoryBytes, MiB, mib, rssBytes, startEmbeddedStack, stopOrphanedPostgres, TOKEN_REVIEW_PATH, tokenReviewBody, writeStackFiles, type EmbeddedStack, type StackFiles } from './testdata/embedded-stack';

const DECISIONS = Number(process.env['AUTHTRAIL_MEMORY_TEST_DECISIONS'] ?? 1_000_000);
const CONNECTIONS = 24;
const WARM_UP_SHARE = 0.2;
const RSS_GROWTH_BOUND = 192 * MiB;
const RETAIN_RECORDS = 10_000;
const SEGMENT_BYTES = 4 * MiB;
const RECORD_BYTES_BOUND = 4 * 1024;
const PROGRESS_EVERY = 100_000;

const log = (line: string) => process.stderr.write(`[embedded-memory] ${line}\n`);

let dir: string;
let files: StackFiles;
let stack: EmbeddedStack | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authtrail-memory-'));
  chmodSync(dir, 0o755);
  const inProcess = { retainRecords: RETAIN_RECORDS, segmentBytes: SEGMENT_BYTES };
  files = writeStackFiles(dir, {
    events: { mode: 'buffered', inProcess },
    // COUNT over a million rows may take longer than the default statement timeout.
    graphqlLimits: { queryTimeout: '120s' },
  });
  stack = await startEmbeddedStack(files, 'authtrail start (memory)');
}, 300_000);

afterAll(async () => {
  await stack?.service.stop(60_000);
  if (dir) {
    await stopOrphanedPostgres(files.dataDir);
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

interface Sample {
  readonly at: number;
  readonly answered: number;
  readonly rss: number;
}

interface LoadResult {
  readonly total: number;
  readonly rps: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly duration: number;
}

describe('embedded stack: bounded memory', () => {
  it(`${DECISIONS.toLocaleString('en')} decisions through the embedded stack with RSS flat after warm-up`, async () => {
    const running = stack!;
    const pid = running.service.pid;
    const busDir = join(files.dataDir, 'bus');
    const started = performance.now();
    const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
    let answered = 0;
    const samples: Sample[] = [];
    const sample = () => {
      const rss = rssBytes(pid);
      if (rss !== undefined) samples.push({ at: performance.now() - started, answered, rss });
    };
    let maxBusBytes = 0;
    const sampler = setInterval(sample, 1_000);
    const busSampler = setInterval(() => (maxBusBytes = Math.max(maxBusBytes, directoryBytes(busDir))), 5_000);
    sample();
    try {
      const warmUpEnd = Math.ceil(DECISIONS * WARM_UP_SHARE);
      let nextReport = PROGRESS_EVERY;
      let lastReport = { at: performance.now(), answered: 0 };
      const result = await new Promise<LoadResult>((resolve, reject) => {
        const options = {
          url: `${running.authnUrl}${TOKEN_REVIEW_PATH}`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: tokenReviewBody(files.loadToken),
          connections: CONNECTIONS,
          amount: DECISIONS,
          progressEvery: 1_000,
        };
        const optionsFile = join(dir, 'load.json');
        writeFileSync(optionsFile, JSON.stringify(options), { mode: 0o600 });
        const child = spawn(process.execPath, [join(__dirname, 'testdata', 'autocannon-load.mjs'), optionsFile], { stdio: ['ignore', 'pipe', 'pipe'] });
        let pending = '';
        let final: LoadResult | undefined;
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
        child.stdout.on('data', (d: Buffer) => {
          pending += d.toString('utf8');
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) {
            if (line.startsWith('result ')) final = JSON.parse(line.slice('result '.length)) as LoadResult;
            if (!line.startsWith('progress ')) continue;
            const before = answered;
            answered = Number(line.split(' ')[1]);
            if (before < warmUpEnd && answered >= warmUpEnd) sample(); // the last warm-up sample
            if (answered >= nextReport) {
              const now = performance.now();
              const rate = ((answered - lastReport.answered) * 1000) / (now - lastReport.at);
              lastReport = { at: now, answered };
              nextReport += PROGRESS_EVERY;
              log(`${answered.toLocaleString('en')} answered after ${elapsed()}: ${rate.toFixed(0)}/s, RSS ${mib(rssBytes(pid) ?? 0)}, bus ${mib(directoryBytes(busDir))}`);
            }
          }
        });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 && final ? resolve(final) : reject(new Error(`load generator exited with ${code}\n${stderr}`))));
      });
      log(`load done after ${elapsed()}: ${result.total} answered, ${result.rps.toFixed(0)}/s on average, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`);
      expect({ total: result.total, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts }).toEqual({ total: DECISIONS, non2xx: 0, errors: 0, timeouts: 0 });

      // Every decision reaches the read model (the projector catches up; RSS is still sampled).
      let lastLog = performance.now();
      const identity = await waitFor(
        'every decision projected',
        async () => {
          const data = await running.gql<{ identity: { successCount: number; failureCount: number } | null }>('query($u: String!) { identity(username: $u) { successCount failureCount } }', { u: files.loadUser });
          if (performance.now() - lastLog > 30_000) {
            lastLog = performance.now();
            log(`projector: ${data.identity?.successCount ?? 0} of ${DECISIONS} after ${elapsed()}, RSS ${mib(rssBytes(pid) ?? 0)}`);
          }
          return data.identity && data.identity.successCount >= DECISIONS ? data.identity : undefined;
        },
        { timeoutMs: 900_000, intervalMs: 2_000, diagnostics: () => running.service.output().slice(-3000) },
      );
      expect(identity).toEqual({ successCount: DECISIONS, failureCount: 0 });
      const count = await running.gql<{ decisions: { totalCount: number } }>('query($u: String!) { decisions(filter: { username: $u }, first: 1) { totalCount } }', { u: files.loadUser });
      expect(count.decisions.totalCount).toBe(DECISIONS);
      log(`all ${DECISIONS} projected after ${elapsed()}`);

      // Retention runs once every group committed past a segment: give it a moment, then measure.
      const partitions = () => readdirSync(busDir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'groups').length;
      const busBound = () => Math.max(1, partitions()) * (RETAIN_RECORDS * RECORD_BYTES_BOUND + 2 * SEGMENT_BYTES) + MiB;
      await waitFor('the bus directory trimmed', async () => (directoryBytes(busDir) <= busBound() ? true : undefined), { timeoutMs: 120_000, intervalMs: 1_000 }).catch(() => undefined);
      const busBytes = directoryBytes(busDir);
      sample();

      const warmUp = samples.filter((s) => s.answered < warmUpEnd);
      const rest = samples.filter((s) => s.answered >= warmUpEnd);
      const warmUpMax = Math.max(...warmUp.map((s) => s.rss));
      const restMax = Math.max(...rest.map((s) => s.rss));
      const curve = samples.filter((_s, i) => i % 10 === 0 || i === samples.length - 1).map((s) => `${(s.at / 1000).toFixed(0)}s/${s.answered}:${(s.rss / MiB).toFixed(0)}`);
      log(`RSS (s/answered:MiB): ${curve.join(' ')}`);
      log(`RSS: warm-up max ${mib(warmUpMax)} (${warmUp.length} samples), after warm-up max ${mib(restMax)} (${rest.length} samples), growth ${mib(restMax - warmUpMax)} (bound ${mib(RSS_GROWTH_BOUND)})`);
      log(`bus directory: ${mib(busBytes)} at the end (bound ${mib(busBound())}, ${partitions()} partition directories), ${mib(maxBusBytes)} at most during the run`);

      expect(warmUp.length).toBeGreaterThan(0);
      expect(rest.length).toBeGreaterThan(0);
      expect(restMax).toBeLessThanOrEqual(warmUpMax + RSS_GROWTH_BOUND);
      expect(busBytes).toBeLessThanOrEqual(busBound());
    } finally {
      clearInterval(sampler);
      clearInterval(busSampler);
    }
  }, 1_500_000);
});
