// bench/events (`npm run bench events`), two parts, chosen with BENCH_EVENTS_PART (default levers):
//   levers      kafkajs' share of a decision record's cost, lever by lever (levers.ts, lever-run.ts):
//               main-thread and process CPU per record at a steady rate, burst records/s, and
//               bench/authn's ceiling row in small (fastify + one record per request, req/s).
//               Env: BENCH_LEVER_ROUNDS (3), BENCH_LEVER_RATE (8000 records/s), BENCH_LEVER_SECONDS (5),
//               BENCH_LEVER_BURST (50000), BENCH_LEVER_HTTP_SECONDS (5; 0 skips the fastify row per lever).
//   throughput  publish throughput and enqueue latency of our buffered publisher against raw
//               kafkajs sendBatch of the same payloads and batch size, in the same run on the same broker.
//               Env: BENCH_EVENTS (default 200000), BENCH_BATCH (default 500), BENCH_PAYLOAD_BYTES (default ~400),
//               BENCH_MEMORY_RECORDS (default 50000), BENCH_ROUNDS (default 1; rounds alternate ours and raw,
//               the best of each is reported).
//   all         both.
// KAFKA_BROKERS: a running broker; else a private broker is started and destroyed.
//
//   npm run bench events
//   BENCH_EVENTS_PART=throughput BENCH_EVENTS=1000000 KAFKA_BROKERS=host:9092 npx tsx bench/events/main.ts
import { createKafkaBus, type BusRecord } from '@authtrail/event-bus';
import { freePort, startKafkaBroker, type RunningKafkaBroker } from '@authtrail/testing';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runLevers } from './levers';

const total = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const batchSize = Number(process.env['BENCH_BATCH'] ?? 500);
const payloadBytes = Number(process.env['BENCH_PAYLOAD_BYTES'] ?? 400);
/** Our memory buffer; below the event count, the run also exercises spilling to the spool. */
const memoryBufferRecords = Number(process.env['BENCH_MEMORY_RECORDS'] ?? 50_000);
const roundCount = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 1));
const rate = (seconds: number): string => Math.round(total / seconds).toLocaleString('en');
const log = (line: string) => console.log(`[bench/events] ${line}`);
const part = process.env['BENCH_EVENTS_PART'] ?? 'levers';

function payloads(topic: string): BusRecord[] {
  const filler = 'x'.repeat(Math.max(0, payloadBytes - 260));
  return Array.from({ length: total }, (_, i) => ({
    topic,
    key: `user-${i % 1000}`,
    value: Buffer.from(
      JSON.stringify({
        specversion: '1.0',
        id: `0190a6f0-0000-7000-8000-${String(i).padStart(12, '0')}`,
        type: 'authtrail.authn.decision.v1',
        source: 'bench',
        data: { decision: i % 5 ? 'allow' : 'deny', httpStatus: i % 5 ? 200 : 401, reason: i % 5 ? 'ok' : 'unknown_token', sequence: i, filler },
      }),
    ),
    headers: { 'content-type': 'application/cloudevents+json' },
  }));
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function ours(brokers: string[], topic: string, records: readonly BusRecord[]) {
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'bench-events-spool-'));
  const bus = createKafkaBus({ brokers, clientId: 'bench-ours', spoolDir, topics: { [topic]: { partitions: 6 } }, batch: { maxRecords: batchSize, lingerMs: 5 }, memoryBufferRecords });
  await bus.admin.ensureTopics({ [topic]: { partitions: 6 } });
  const latencies = new Float64Array(records.length);
  const started = performance.now();
  let nextReport = started + 2_000;
  let peakSpooled = 0;
  for (let i = 0; i < records.length; i += 1) {
    const t0 = performance.now();
    await bus.publisher.publish(records[i]);
    const t1 = performance.now();
    latencies[i] = t1 - t0;
    if (i % 1000 === 0) peakSpooled = Math.max(peakSpooled, bus.publisher.stats().spooled);
    if (t1 > nextReport) {
      const s = bus.publisher.stats();
      log(`ours: published ${s.published}, acknowledged ${s.acknowledged}, buffered ${s.buffered}, spooled ${s.spooled}`);
      nextReport = t1 + 2_000;
    }
    // Yield now and then, as a server would between requests, so the sender runs.
    if (i % batchSize === batchSize - 1) await new Promise((r) => setImmediate(r));
  }
  const enqueued = performance.now();
  await bus.publisher.flush(600_000);
  const acked = performance.now();
  const stats = bus.publisher.stats();
  await bus.close();
  rmSync(spoolDir, { recursive: true, force: true });
  latencies.sort();
  return { seconds: (acked - started) / 1000, enqueueSeconds: (enqueued - started) / 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), stats, peakSpooled };
}

async function raw(brokers: string[], topic: string, records: readonly BusRecord[]) {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // On a loaded machine the wait for leaders can time out; the producer retries until they exist.
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true }).catch(() => undefined);
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = performance.now();
  let nextReport = started + 2_000;
  for (let i = 0; i < records.length; i += batchSize) {
    const messages = records.slice(i, i + batchSize).map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } }));
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
    if (performance.now() > nextReport) {
      log(`raw: sent ${Math.min(i + batchSize, records.length)}`);
      nextReport = performance.now() + 2_000;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return { seconds };
}

async function main(): Promise<void> {
  if (!['levers', 'throughput', 'all'].includes(part)) throw new Error(`BENCH_EVENTS_PART must be levers, throughput or all (got ${part})`);
  const given = process.env['KAFKA_BROKERS'];
  let broker: RunningKafkaBroker | undefined;
  if (!given) log('starting a private Kafka broker');
  if (!given) broker = await startKafkaBroker({ port: await freePort(), log });
  const brokers = given?.split(',') ?? [broker?.brokers ?? ''];
  try {
    if (part === 'levers' || part === 'all') {
      await runLevers({
        brokers: brokers.join(','),
        rounds: Math.max(1, Number(process.env['BENCH_LEVER_ROUNDS'] ?? 3)),
        rate: Number(process.env['BENCH_LEVER_RATE'] ?? 8_000),
        seconds: Number(process.env['BENCH_LEVER_SECONDS'] ?? 5),
        burstRecords: Number(process.env['BENCH_LEVER_BURST'] ?? 50_000),
        httpSeconds: Number(process.env['BENCH_LEVER_HTTP_SECONDS'] ?? 5),
      });
    }
    if (part !== 'throughput' && part !== 'all') return;
    const suffix = Date.now().toString(36);
    log(`${total} events, batch ${batchSize}, ~${payloadBytes} B each, memory buffer ${memoryBufferRecords}, brokers ${brokers.join(',')}`);
    // Warm-up: connections, metadata, JIT.
    await raw(brokers, `bench.warmup.${suffix}`, payloads(`bench.warmup.${suffix}`).slice(0, 5_000));
    // Rounds alternate ours and raw, so that load from other processes hits both alike.
    const rounds: { ours: Awaited<ReturnType<typeof ours>>; raw: Awaited<ReturnType<typeof raw>> }[] = [];
    for (let round = 1; round <= roundCount; round += 1) {
      log(`round ${round}/${roundCount}: our publisher (buffered)`);
      const result = await ours(brokers, `bench.ours.${suffix}.${round}`, payloads(`bench.ours.${suffix}.${round}`));
      log(`round ${round}/${roundCount}: raw kafkajs sendBatch of the same payloads (baseline)`);
      const baseline = await raw(brokers, `bench.raw.${suffix}.${round}`, payloads(`bench.raw.${suffix}.${round}`));
      rounds.push({ ours: result, raw: baseline });
      log(`round ${round}: ours ${rate(result.seconds)} events/s, raw ${rate(baseline.seconds)} events/s, ratio ${(baseline.seconds / result.seconds).toFixed(2)}x`);
    }
    // The best round of each: the one least disturbed by the rest of the machine.
    const result = rounds.map((r) => r.ours).sort((a, b) => a.seconds - b.seconds)[0];
    const baseline = rounds.map((r) => r.raw).sort((a, b) => a.seconds - b.seconds)[0];
    log(`results (best of ${roundCount} round${roundCount > 1 ? 's' : ''})`);
    console.log(`  raw kafkajs sendBatch:     ${rate(baseline.seconds)} events/s (${baseline.seconds.toFixed(2)} s)`);
    console.log(`  our publisher, acked:      ${rate(result.seconds)} events/s (${result.seconds.toFixed(2)} s to the last ack)`);
    console.log(`  our publisher, enqueued:   ${rate(result.enqueueSeconds)} events/s (publish() calls, ${result.enqueueSeconds.toFixed(2)} s)`);
    console.log(`  publish() latency:         p50 ${(result.p50 * 1000).toFixed(1)} µs, p99 ${(result.p99 * 1000).toFixed(1)} µs`);
    console.log(`  spooled during the run:    peak ${result.peakSpooled} records, dropped ${result.stats.dropped}`);
    console.log(`  ratio ours / raw:          ${(baseline.seconds / result.seconds).toFixed(2)}x throughput`);
  } finally {
    await broker?.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
