// bench/siem: events per second the siem-exporter writes into the OCSF topic (decode, map to
// OCSF 1.8.0, produce with acks=all, commit), against the raw consume rate of the same
// decisions topic by a plain kafkajs consumer, in the same run on the same broker.
//
//   npx tsx bench/siem/main.ts                      # 10,000 decisions, private broker
//   BENCH_SIEM_EVENTS=200000 KAFKA_BROKERS=host:9092 npx tsx bench/siem/main.ts
//
// Env: BENCH_SIEM_EVENTS (default 10000), BENCH_SIEM_PARTITIONS (default 3),
// KAFKA_BROKERS (else a private broker is started and destroyed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createKafkaBus } from '@authtrail/event-bus';
import { toBusRecord, TOPICS, type AuthtrailEvent } from '@authtrail/events';
import { startKafkaBroker, type RunningKafkaBroker } from '@authtrail/testing';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { createKafkaTopicWriter, parseSiemConfig, startSiemExporter } from '../../services/siem-exporter/src';
import { decisionAt } from '../../services/siem-exporter/src/testdata/decision-stream.fixture';

const total = Number(process.env['BENCH_SIEM_EVENTS'] ?? 10_000);
const partitions = Number(process.env['BENCH_SIEM_PARTITIONS'] ?? 3);
const log = (line: string): void => console.log(`[bench/siem] ${line}`);
const suffix = Date.now().toString(36);

async function publish(kafka: Kafka, topic: string, events: readonly AuthtrailEvent[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let start = 0; start < events.length; start += 1000) {
    await producer.send({
      topic,
      acks: -1,
      messages: events.slice(start, start + 1000).map((event) => {
        const record = toBusRecord(topic, event);
        return { key: record.key, value: record.value, headers: { ...record.headers } };
      }),
    });
    if ((start / 1000) % 5 === 0) log(`published ${Math.min(start + 1000, events.length)}/${events.length}`);
  }
  await producer.disconnect();
}

/** Baseline: a consumer group that only counts records (and parses nothing). Seconds from first to last record. */
async function rawConsume(kafka: Kafka, topic: string): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${suffix}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let last = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (seen === 0) first = performance.now();
        seen += batch.messages.length;
        if (seen >= total) {
          last = performance.now();
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return (last - first) / 1000;
}

/** The exporter with one kafka-ocsf sink. Seconds from the first delivered event to the last. */
async function siemToOcsf(brokers: string[], decisions: string, ocsf: string): Promise<number> {
  const parsed = parseSiemConfig({ groupId: `bench-siem-${suffix}`, topics: { decisions, control: `bench.siem.control.${suffix}`, deadLetter: `bench.siem.dlq.${suffix}` }, includeControl: false, sinks: [{ type: 'kafka-ocsf', name: 'ocsf', topic: ocsf }] });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'bench-siem-spool-'));
  const bus = createKafkaBus({ brokers, clientId: 'bench-siem', mode: 'strict', spoolDir });
  const topicWriter = createKafkaTopicWriter({ brokers, clientId: 'bench-siem-writer' });
  const exporter = await startSiemExporter(parsed.config, { subscriber: bus.subscriber, topicWriter, logger: pino({ level: 'warn' }) });
  const delivered = async (): Promise<number> => (await exporter.metrics.delivered.get()).values[0]?.value ?? 0;
  let first = 0;
  let reported = 0;
  const deadline = performance.now() + 120_000;
  for (;;) {
    const count = await delivered();
    if (count > 0 && first === 0) first = performance.now();
    if (count >= total) break;
    if (performance.now() > deadline) throw new Error(`only ${count}/${total} delivered after 120 s`);
    if (count - reported >= total / 5) {
      log(`exporter delivered ${count}/${total}`);
      reported = count;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - first) / 1000;
  await exporter.stop();
  await topicWriter.close();
  await bus.close();
  rmSync(spoolDir, { recursive: true, force: true });
  return seconds;
}

async function main(): Promise<void> {
  let broker: RunningKafkaBroker | undefined;
  let brokers = process.env['KAFKA_BROKERS']?.split(',');
  if (!brokers) {
    log('starting a private Kafka broker');
    broker = await startKafkaBroker({ log: (line: string) => log(line) });
    brokers = broker.brokers.split(',');
  }
  try {
    const kafka = new Kafka({ clientId: 'bench-siem', brokers, logLevel: logLevel.NOTHING });
    const decisions = `bench.${TOPICS.decisions}.${suffix}`;
    const ocsf = `bench.${TOPICS.ocsf}.${suffix}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: decisions, numPartitions: partitions }, { topic: ocsf, numPartitions: partitions }], waitForLeaders: true });
    await admin.disconnect();

    log(`building ${total} decision events (every strategy, a third denied)`);
    const events = Array.from({ length: total }, (_, n) => decisionAt(n));
    await publish(kafka, decisions, events);

    log('baseline: raw kafkajs consume of the decisions topic');
    const raw = await rawConsume(kafka, decisions);
    log(`raw consume: ${total} records in ${raw.toFixed(2)} s = ${Math.round(total / raw)} records/s`);

    log('siem-exporter: decisions → OCSF topic (decode, map, produce acks=all, commit)');
    const siem = await siemToOcsf(brokers, decisions, ocsf);
    log(`siem-exporter: ${total} events in ${siem.toFixed(2)} s = ${Math.round(total / siem)} events/s into ${ocsf}`);
    log(`ratio siem-exporter / raw consume = ${(raw / siem).toFixed(3)} (1.0 = as fast as only reading the topic)`);
  } finally {
    await broker?.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
