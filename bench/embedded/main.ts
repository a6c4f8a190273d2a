// `npm run bench embedded`: the product as a user runs it (`node --import tsx tools/cli/src/main.ts
// start --config FILE`), twice — embedded (in-process bus, embedded PostgreSQL: what `npm start`
// runs) and Kafka mode (`events.kafka` on a private broker, PostgreSQL still embedded) — under the
// same cached static-token TokenReview load (autocannon in a child process, bench/authn's load
// generator). Rounds alternate; the best of each mode is kept. CPU per request is the product's
// whole process tree (node and its embedded PostgreSQL) from /proc, during the load and including
// the drain after it (projection and SIEM export of what was just sent). Target: embedded ≥ 0.5×
// the Kafka-mode rate (issue #16).
//
//   BENCH_SECONDS=10 (per round)  BENCH_ROUNDS=3  BENCH_CONNECTIONS=16
//   BENCH_SETTLE_SECONDS=60 (longest wait for the product to go idle after a round)
//   KAFKA_BROKERS=host:port,… (use that cluster instead of a private broker)
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningKafkaBroker } from '@authtrail/testing';
import { benchKafka } from '../shared/kafka';
import { runLoad, type LoadResult } from '../shared/load';
import { MiB, rssBytes, startProduct, treeCpuSeconds, waitUntilIdle, type Product } from './product';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
const SETTLE_SECONDS = Number(process.env['BENCH_SETTLE_SECONDS'] ?? 60);
const TARGET = 0.5;
const log = (line: string) => console.log(`[bench/embedded] ${line}`);

type Mode = 'embedded' | 'kafka';
const MODE_NAME: Record<Mode, string> = { embedded: 'embedded (in-process bus)', kafka: 'Kafka mode' };


interface Round extends LoadResult {
  readonly round: number;
  /** Product tree CPU µs per request while the load ran. */
  readonly cpuLoad: number;
  /** Product tree CPU µs per request from the start of the load until the product went idle. */
  readonly cpuDrained: number;
  readonly drainSeconds: number;
  readonly settled: boolean;
  /** Kafka broker CPU µs per request over the same span (private broker only). */
  readonly brokerCpu?: number;
  readonly rssMiB: number;
}

/** The load generator running now (ended on SIGINT / SIGTERM). */
let loadChild: ChildProcess | undefined;

/** A POST of `body` to `url` (ended on SIGINT / SIGTERM through `loadChild`). */
function postLoad(url: string, body: string, connections: number, duration: number): Promise<LoadResult> {
  return runLoad({ url, body, method: 'POST', headers: { 'content-type': 'application/json' } }, connections, duration, (child) => (loadChild = child));
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'bench-embedded-'));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must reach the data directory.
  chmodSync(dir, 0o755);
  const products: Partial<Record<Mode, Product>> = {};
  let broker: RunningKafkaBroker | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      if (loadChild && loadChild.exitCode === null && loadChild.signalCode === null) loadChild.kill('SIGTERM');
      for (const product of Object.values(products)) await product?.stop().catch(() => undefined);
      if (broker) await broker.destroy().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the products and the broker …`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const privateOrGiven = await benchKafka(dir, log);
    broker = privateOrGiven.broker;
    const { brokers } = privateOrGiven;

    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},bench-user,uid-1,"bench,devs"\n`);
    const configFor = (mode: Mode): string => {
      mkdirSync(join(dir, mode), { recursive: true, mode: 0o755 });
      const config = {
        dataDir: join(dir, mode, 'data'),
        authn: { instance: `bench-${mode}`, http: { port: 0, host: '127.0.0.1' }, strategies: [{ id: 'static-token', tokenFile: join(dir, 'tokens.csv') }] },
        graphql: { port: 0, host: '127.0.0.1' },
        events: { mode: 'buffered', ...(mode === 'kafka' ? { kafka: { brokers: (brokers ?? '').split(','), clientId: 'bench-embedded' } } : {}) },
        log: { level: 'warn' },
      };
      // JSON is YAML.
      const file = join(dir, mode, 'authtrail.yaml');
      writeFileSync(file, JSON.stringify(config, null, 2));
      return file;
    };

    for (const mode of ['embedded', 'kafka'] as const) {
      log(`${MODE_NAME[mode]}: authtrail start --config … `);
      const product = await startProduct({ name: mode, configFile: configFor(mode), progress: (line) => log(`${mode}: ${line}`) });
      products[mode] = product;
      log(`${MODE_NAME[mode]}: running (pid ${product.pid}), authn ${product.authnUrl}`);
      while ((await fetch(`${product.authnUrl}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 100));
    }

    const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    const urlOf = (product: Product) => `${product.authnUrl}/apis/authentication.k8s.io/v1/tokenreviews`;
    const productOf = (mode: Mode): Product => {
      const product = products[mode];
      if (!product?.alive()) throw new Error(`${MODE_NAME[mode]} is not running${product ? `\n${product.tail().slice(-4000)}` : ''}`);
      return product;
    };

    log('warming up (1 s each, 4 connections) …');
    for (const mode of ['embedded', 'kafka'] as const) {
      await postLoad(urlOf(productOf(mode)), body, 4, 1);
      await waitUntilIdle(productOf(mode).pid, { timeoutMs: SETTLE_SECONDS * 1000 });
    }

    const rounds: Record<Mode, Round[]> = { embedded: [], kafka: [] };
    const measure = async (mode: Mode, round: number): Promise<Round> => {
      const product = productOf(mode);
      const cpuBefore = treeCpuSeconds(product.pid);
      const brokerBefore = broker?.pid ? treeCpuSeconds(broker.pid) : undefined;
      const load = await postLoad(urlOf(product), body, CONNECTIONS, SECONDS);
      const cpuAfterLoad = treeCpuSeconds(product.pid);
      const drain = await waitUntilIdle(product.pid, { timeoutMs: SETTLE_SECONDS * 1000 });
      const cpuAfterDrain = treeCpuSeconds(product.pid);
      const perRequest = (seconds: number) => (seconds * 1e6) / Math.max(1, load.total);
      const result: Round = {
        ...load,
        round,
        cpuLoad: perRequest(cpuAfterLoad - cpuBefore),
        cpuDrained: perRequest(cpuAfterDrain - cpuBefore),
        drainSeconds: drain.seconds,
        settled: drain.settled,
        ...(broker?.pid && brokerBefore !== undefined ? { brokerCpu: perRequest(treeCpuSeconds(broker.pid) - brokerBefore) } : {}),
        rssMiB: (rssBytes(product.pid) ?? 0) / MiB,
      };
      log(
        `${MODE_NAME[mode]} round ${round}/${ROUNDS}: ${load.rps.toFixed(0)} req/s, p99 ${load.p99} ms, ${result.cpuLoad.toFixed(0)} µs CPU/request ` +
          `(${result.cpuDrained.toFixed(0)} with the drain of ${drain.seconds.toFixed(1)} s${drain.settled ? '' : `, NOT idle after ${SETTLE_SECONDS} s`})` +
          `${result.brokerCpu !== undefined && mode === 'kafka' ? `, broker ${result.brokerCpu.toFixed(0)} µs/request` : ''}, RSS ${result.rssMiB.toFixed(0)} MiB` +
          `${load.non2xx || load.errors ? `, non-2xx ${load.non2xx}, errors ${load.errors}` : ''}`,
      );
      return result;
    };
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which mode goes first, so neither always follows the other's drain.
      const order: Mode[] = round % 2 === 1 ? ['embedded', 'kafka'] : ['kafka', 'embedded'];
      for (const mode of order) {
        log(`${MODE_NAME[mode]} round ${round}/${ROUNDS}: ${SECONDS} s, ${CONNECTIONS} connections …`);
        rounds[mode].push(await measure(mode, round));
      }
    }

    const best = (runs: readonly Round[]): Round => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
    const embedded = best(rounds.embedded);
    const kafka = best(rounds.kafka);
    console.log(`\nCached static-token TokenReview, ${CONNECTIONS} connections, ${SECONDS} s per round, best of ${ROUNDS} round(s) per mode; CPU = the product's process tree (node + embedded PostgreSQL) from /proc.\n`);
    console.log('| mode | req/s | p99 ms | CPU µs/req (load) | CPU µs/req (load + drain) | drain s | Kafka broker CPU µs/req | RSS MiB after | non-2xx / errors |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const [mode, r] of [['embedded', embedded], ['kafka', kafka]] as const) {
      console.log(
        `| ${MODE_NAME[mode]} (round ${r.round}) | ${r.rps.toFixed(0)} | ${r.p99} | ${r.cpuLoad.toFixed(0)} | ${r.cpuDrained.toFixed(0)} | ${r.drainSeconds.toFixed(1)}${r.settled ? '' : ' (not idle)'} | ${mode === 'kafka' && r.brokerCpu !== undefined ? r.brokerCpu.toFixed(0) : '–'} | ${r.rssMiB.toFixed(0)} | ${r.non2xx} / ${r.errors} |`,
      );
    }
    const ratio = embedded.rps / Math.max(1, kafka.rps);
    console.log(`\nembedded / Kafka mode: ${ratio.toFixed(2)}× req/s (target ≥ ${TARGET}×) — ${ratio >= TARGET ? 'met' : 'NOT met'}; CPU per request (load + drain) ${(embedded.cpuDrained / Math.max(1, kafka.cpuDrained)).toFixed(2)}× Kafka mode's${kafka.brokerCpu !== undefined ? ` (${(embedded.cpuDrained / Math.max(1, kafka.cpuDrained + kafka.brokerCpu)).toFixed(2)}× with the broker's)` : ''}\n`);
    for (const r of [...rounds.embedded, ...rounds.kafka]) if (r.non2xx > 0 || r.errors > 0) log(`WARNING round ${r.round}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  } finally {
    log('stopping …');
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
