// One lever of bench/events measured in a process of its own (so stock and tuned kafkajs never
// share a module cache): argv[2] is a LeverRun as JSON; prints one `LEVER-RESULT <json>` line.
//   1. steady: records offered at `rate` per second for `seconds` (what authn does under load);
//      CPU of the main thread (process.threadCpuUsage) and of the whole process per record.
//   2. burst: `burstRecords` published at once; records/s from the first publish to the last ack.
//   3. http (when `httpSeconds` > 0): bench/authn's ceiling row in small — fastify answering a
//      TokenReview-sized POST and publishing one record per request, under autocannon (its own
//      process, 16 connections); req/s and main-thread CPU per request. The floor lever is bare fastify.
import { createKafkaBus, type BusRecord, type Publisher } from '@authtrail/event-bus';
import { TOPICS, toBusRecord } from '@authtrail/events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { runLoad } from '../shared/load';
import { sampleDecisionEvent } from '../shared/sample-decision';
import { startWorkerPublisher } from './worker-publisher';

export interface LeverRun {
  readonly name: string;
  readonly brokers: string;
  readonly topic: string;
  /** discard: publish() does nothing (the load loop's own cost); bus: createKafkaBus; worker: bench/events/worker-publisher.ts. */
  readonly publisher: 'discard' | 'bus' | 'worker';
  readonly encoding: 'tuned' | 'kafkajs';
  readonly compression: 'none' | 'gzip';
  readonly maxRecords: number;
  readonly lingerMs: number;
  readonly rate: number;
  readonly seconds: number;
  readonly burstRecords: number;
  readonly httpSeconds: number;
  /** Loads kafkajs' own produce request encoder first, so only the partitioner of `tuned` is in effect. */
  readonly stockModules?: boolean;
}

export interface LeverResult {
  readonly name: string;
  readonly steadyRecords: number;
  readonly mainMicrosPerRecord: number;
  readonly processMicrosPerRecord: number;
  readonly burstRecordsPerSecond: number;
  readonly httpRequestsPerSecond: number;
  readonly httpMainMicrosPerRequest: number;
}

const run = JSON.parse(process.argv[2] ?? '{}') as LeverRun;

async function publisherFor(spoolDir: string): Promise<{ publisher: Publisher; close(): Promise<void> }> {
  if (run.publisher === 'discard') {
    let published = 0;
    const publisher: Publisher = {
      publish: async () => ((published += 1), { dropped: false }),
      flush: async () => undefined,
      close: async () => undefined,
      stats: () => ({ published, acknowledged: published, buffered: 0, spooled: 0, spoolBytes: 0, dropped: 0 }),
    };
    return { publisher, close: async () => undefined };
  }
  if (run.publisher === 'worker') return startWorkerPublisher(run);
  const bus = createKafkaBus({
    brokers: run.brokers.split(','),
    clientId: `bench-lever-${process.pid}`,
    spoolDir,
    topics: { [run.topic]: { partitions: 6 } },
    batch: { maxRecords: run.maxRecords, lingerMs: run.lingerMs },
    memoryBufferRecords: run.burstRecords * 2,
    compression: run.compression,
    producerEncoding: run.encoding,
  });
  await bus.admin.ensureTopics({ [run.topic]: { partitions: 6 } });
  return { publisher: bus.publisher, close: () => bus.close() };
}

/** Offers `rate` records a second for `seconds`, as a server's requests would, in 1 ms ticks. */
async function steady(publisher: Publisher, record: BusRecord, seconds: number): Promise<number> {
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * run.rate);
    for (; sent < due; sent += 1) void publisher.publish(record);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await publisher.flush(60_000);
  return sent;
}

async function httpCeiling(publisher: Publisher, publishOne: () => void): Promise<{ rps: number; mainMicros: number }> {
  const app = Fastify({ logger: false });
  app.post('/tokenreviews', async (request) => {
    publishOne();
    const body = request.body as { spec?: { token?: string } };
    return { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', status: { authenticated: typeof body.spec?.token === 'string', user: { username: 'bench-user', groups: ['bench'] } } };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const load = {
    url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}/tokenreviews`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'bench-token' } }),
  };
  await runLoad(load, 4, 1);
  await publisher.flush(60_000);
  const cpu0 = process.threadCpuUsage();
  const result = await runLoad(load, 16, run.httpSeconds);
  const cpu = process.threadCpuUsage(cpu0);
  await app.close();
  await publisher.flush(60_000);
  return { rps: result.rps, mainMicros: (cpu.user + cpu.system) / Math.max(1, result.total) };
}

async function main(): Promise<void> {
  if (run.stockModules) {
    require('kafkajs/src/protocol/requests/produce/v3/request.js');
  }
  const spoolDir = mkdtempSync(join(tmpdir(), 'bench-lever-'));
  const { publisher, close } = await publisherFor(spoolDir);
  // The decision record of the ceiling rows (~0.9 KB), with keys spread over the partitions.
  const base = toBusRecord(TOPICS.decisions, sampleDecisionEvent('bench-events', false));
  const records: BusRecord[] = Array.from({ length: 64 }, (_, i) => ({ ...base, topic: run.topic, key: `bench-user-${i}` }));
  let next = 0;
  // Whatever it is given, `rotating.publish` sends the next of the 64 records.
  const rotating: Publisher = { publish: () => publisher.publish(records[(next = (next + 1) & 63)]), flush: (ms) => publisher.flush(ms), close: () => publisher.close(), stats: () => publisher.stats() };
  await steady(rotating, records[0], 2); // warm-up: connections, metadata, JIT
  const main0 = process.threadCpuUsage();
  const all0 = process.cpuUsage();
  const steadyRecords = await steady(rotating, records[0], run.seconds);
  const mainCpu = process.threadCpuUsage(main0);
  const allCpu = process.cpuUsage(all0);
  const burstStarted = performance.now();
  for (let i = 0; i < run.burstRecords; i += 1) {
    void rotating.publish(records[0]);
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  await publisher.flush(120_000);
  const burstSeconds = (performance.now() - burstStarted) / 1000;
  const http = run.httpSeconds > 0 ? await httpCeiling(rotating, () => void rotating.publish(records[0])) : { rps: 0, mainMicros: 0 };
  await close();
  rmSync(spoolDir, { recursive: true, force: true });
  const result: LeverResult = {
    name: run.name,
    steadyRecords,
    mainMicrosPerRecord: (mainCpu.user + mainCpu.system) / steadyRecords,
    processMicrosPerRecord: (allCpu.user + allCpu.system) / steadyRecords,
    burstRecordsPerSecond: run.burstRecords / burstSeconds,
    httpRequestsPerSecond: http.rps,
    httpMainMicrosPerRequest: http.mainMicros,
  };
  console.log(`LEVER-RESULT ${JSON.stringify(result)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
