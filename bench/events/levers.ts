// bench/events, levers: kafkajs' share of a decision's cost, lever by lever (issue #19 item 3).
// Each lever runs in a process of its own (lever-run.ts), the rounds interleave the levers so
// that load from the rest of the machine hits them alike, and the best round of each is kept.
// Figures: main-thread CPU per record at a steady offered rate (what a request of authn pays),
// minus the floor row (the same load loop publishing nowhere); CPU of the whole process per
// record (a worker thread's included); records/s of a burst published at once, to the last ack.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LeverResult, LeverRun } from './lever-run';

const log = (line: string) => console.log(`[bench/events] ${line}`);

type Lever = Omit<LeverRun, 'brokers' | 'topic' | 'rate' | 'seconds' | 'burstRecords' | 'httpSeconds'> & { readonly lever: string };

const STOCK = { publisher: 'bus', encoding: 'kafkajs', compression: 'none', maxRecords: 500, lingerMs: 5 } as const;
const TUNED = { ...STOCK, encoding: 'tuned' } as const;

export const LEVERS: readonly Lever[] = [
  { name: 'floor: the load loop, publish() discards', lever: '—', ...STOCK, publisher: 'discard' },
  { name: 'baseline: stock kafkajs (before this change)', lever: '—', ...STOCK },
  { name: 'Java-compatible murmur2 on Math.imul (partitioner only)', lever: '(e)', ...TUNED, stockModules: true },
  { name: 'tuned: + produce request encoder (records written once into a slab, one buffer per batch and per request, slicing-by-8 CRC-32C)', lever: '(a)+(e)', ...TUNED },
  { name: 'tuned, larger batches: maxRecords 2000, linger 20 ms', lever: '(b)', ...TUNED, maxRecords: 2000, lingerMs: 20 },
  { name: 'tuned + gzip', lever: '(d)', ...TUNED, compression: 'gzip' },
  { name: 'tuned, producer in a worker thread (prototype)', lever: '(c)', ...TUNED, publisher: 'worker' },
];

/** Runs a bench/events script in a process of its own and returns the JSON of its `<tag> ` line. */
function runChild<T>(script: string, args: readonly string[], tag: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(`${tag} `));
      if (code === 0 && line) resolve(JSON.parse(line.slice(tag.length + 1)) as T);
      else reject(new Error(`${script} ${args.join(' ')} exited with ${code}`));
    });
  });
}

const runOne = (run: LeverRun) => runChild<LeverResult>('lever-run.ts', [JSON.stringify(run)], 'LEVER-RESULT');

/** Encoding alone (encode-run.ts): no broker, no network; the steadiest of the figures. */
async function encodeOnly(rounds: number): Promise<void> {
  const rows: string[] = [];
  for (const batch of [40, 500]) {
    const best: Record<string, number> = {};
    for (let round = 0; round < rounds; round += 1) {
      for (const variant of ['stock', 'tuned']) {
        const { microsPerRecord } = await runChild<{ microsPerRecord: number }>('encode-run.ts', [variant, String(batch)], 'ENCODE-RESULT');
        best[variant] = Math.min(best[variant] ?? Infinity, microsPerRecord);
      }
    }
    log(`encode only, batches of ${batch}: stock ${best['stock'].toFixed(2)} µs/record, tuned ${best['tuned'].toFixed(2)} µs/record`);
    rows.push(`| ${batch} | ${best['stock'].toFixed(2)} | ${best['tuned'].toFixed(2)} | ${(best['tuned'] / best['stock']).toFixed(2)}× |`);
  }
  console.log('\n| records per batch | produce request encoding, stock kafkajs µs/record | tuned µs/record | ÷ stock |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log('');
}

export interface LeverSettings {
  readonly brokers: string;
  readonly rounds: number;
  readonly rate: number;
  readonly seconds: number;
  readonly burstRecords: number;
  readonly httpSeconds: number;
}

export async function runLevers(settings: LeverSettings): Promise<void> {
  log(`levers: ${LEVERS.length} × ${settings.rounds} rounds; steady ${settings.rate} records/s for ${settings.seconds} s, then a burst of ${settings.burstRecords}; ~0.9 KB decision records, 6 partitions`);
  await encodeOnly(settings.rounds);
  const best = new Map<string, LeverResult>();
  const suffix = Date.now().toString(36);
  for (let round = 1; round <= settings.rounds; round += 1) {
    for (const [index, lever] of LEVERS.entries()) {
      const result = await runOne({ ...lever, brokers: settings.brokers, topic: `bench.lever.${suffix}.${round}.${index}`, rate: settings.rate, seconds: settings.seconds, burstRecords: settings.burstRecords, httpSeconds: settings.httpSeconds });
      log(`round ${round}/${settings.rounds} ${lever.name}: main thread ${result.mainMicrosPerRecord.toFixed(1)} µs/record, process ${result.processMicrosPerRecord.toFixed(1)} µs/record, burst ${Math.round(result.burstRecordsPerSecond).toLocaleString('en')} records/s${settings.httpSeconds > 0 ? `, http ${Math.round(result.httpRequestsPerSecond).toLocaleString('en')} req/s at ${result.httpMainMicrosPerRequest.toFixed(1)} µs main thread/request` : ''}`);
      const kept = best.get(lever.name);
      // Best round: the least main-thread CPU (the figure that matters), its own burst figure aside.
      best.set(lever.name, {
        ...(kept && kept.mainMicrosPerRecord <= result.mainMicrosPerRecord ? kept : result),
        burstRecordsPerSecond: Math.max(kept?.burstRecordsPerSecond ?? 0, result.burstRecordsPerSecond),
        ...(kept && kept.httpRequestsPerSecond >= result.httpRequestsPerSecond
          ? { httpRequestsPerSecond: kept.httpRequestsPerSecond, httpMainMicrosPerRequest: kept.httpMainMicrosPerRequest }
          : { httpRequestsPerSecond: result.httpRequestsPerSecond, httpMainMicrosPerRequest: result.httpMainMicrosPerRequest }),
      });
    }
  }
  const floor = best.get(LEVERS[0].name);
  const baseline = best.get(LEVERS[1].name);
  if (!floor || !baseline) return;
  const share = (r: LeverResult) => r.mainMicrosPerRecord - floor.mainMicrosPerRecord;
  const processShare = (r: LeverResult) => r.processMicrosPerRecord - floor.processMicrosPerRecord;
  log(`results (best of ${settings.rounds} round${settings.rounds > 1 ? 's' : ''}; "Kafka share" = the row minus the floor row)`);
  console.log('\n| lever | variant | main thread µs/record | Kafka share, main thread | ÷ baseline | Kafka share, whole process | burst records/s | ÷ baseline |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const lever of LEVERS) {
    const r = best.get(lever.name);
    if (!r) continue;
    const isFloor = r === floor;
    console.log(
      `| ${lever.lever} | ${lever.name} | ${r.mainMicrosPerRecord.toFixed(1)} | ${isFloor ? '—' : share(r).toFixed(1)} | ${isFloor ? '—' : `${(share(r) / share(baseline)).toFixed(2)}×`} | ${isFloor ? '—' : processShare(r).toFixed(1)} | ${isFloor ? '—' : Math.round(r.burstRecordsPerSecond).toLocaleString('en')} | ${isFloor ? '—' : `${(r.burstRecordsPerSecond / baseline.burstRecordsPerSecond).toFixed(2)}×`} |`,
    );
  }
  if (settings.httpSeconds > 0) {
    console.log('\n| lever | variant | fastify + one record per request: req/s | main thread µs/request | ÷ bare fastify (the floor row) |');
    console.log('|---|---|---|---|---|');
    for (const lever of LEVERS) {
      const r = best.get(lever.name);
      if (!r) continue;
      console.log(`| ${lever.lever} | ${r === floor ? 'bare fastify, no record' : lever.name} | ${Math.round(r.httpRequestsPerSecond).toLocaleString('en')} | ${r.httpMainMicrosPerRequest.toFixed(1)} | ${r === floor ? '—' : `${(r.httpRequestsPerSecond / floor.httpRequestsPerSecond).toFixed(2)}×`} |`);
    }
  }
  console.log('');
}
