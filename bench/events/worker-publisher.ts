// Lever (c) of bench/events: the kafkajs producer in a worker thread. A prototype for measuring,
// not the product: the main thread batches as the queued publisher does (maxRecords / lingerMs,
// one batch in flight) and posts each batch to the worker — keys, topics and headers by
// structured clone (one shared headers object is cloned once per batch), the values copied into
// one transferred ArrayBuffer; the worker sends it with the transport's producer settings and
// answers when Kafka acknowledged it. No spool, no strict mode, no failure handling.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { BusRecord, Publisher } from '@authtrail/event-bus';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createMurmur2Partitioner } from '../../libs/event-bus/src/kafka/fast-produce/murmur2-partitioner';
import { tunedKafkajs } from '../../libs/event-bus/src/kafka/fast-produce/tuned-kafkajs';
import type { LeverRun } from './lever-run';

interface PostedBatch {
  readonly topics: string[];
  readonly keys: string[];
  readonly headers: (Readonly<Record<string, string>> | undefined)[];
  readonly ends: Uint32Array;
  readonly values: ArrayBuffer;
}

export async function startWorkerPublisher(run: LeverRun): Promise<{ publisher: Publisher; close(): Promise<void> }> {
  const worker = new Worker(__filename, { workerData: run });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  let queue: BusRecord[] = [];
  let oldestAt = 0;
  let inFlight = false;
  let published = 0;
  let acknowledged = 0;
  let drained: (() => void)[] = [];
  let linger: NodeJS.Timeout | undefined;

  const post = () => {
    clearTimeout(linger);
    linger = undefined;
    if (inFlight || queue.length === 0) return;
    const batch = queue.slice(0, run.maxRecords);
    queue = queue.slice(batch.length);
    let total = 0;
    const ends = new Uint32Array(batch.length);
    batch.forEach((r, i) => (ends[i] = total += r.value.length));
    const values = new Uint8Array(total);
    batch.forEach((r, i) => values.set(r.value, i === 0 ? 0 : ends[i - 1]));
    const message: PostedBatch = { topics: batch.map((r) => r.topic), keys: batch.map((r) => r.key), headers: batch.map((r) => r.headers), ends, values: values.buffer };
    inFlight = true;
    worker.postMessage(message, [values.buffer]);
  };
  worker.on('message', (count: number) => {
    inFlight = false;
    acknowledged += count;
    if (queue.length >= run.maxRecords) post();
    else if (queue.length > 0) linger = setTimeout(post, Math.max(0, run.lingerMs - (performance.now() - oldestAt)));
    else for (const done of drained.splice(0)) done();
  });
  const publisher: Publisher = {
    async publish(record) {
      published += 1;
      if (queue.length === 0) oldestAt = performance.now();
      queue.push(record);
      if (!inFlight && queue.length >= run.maxRecords) post();
      else if (!inFlight && linger === undefined) linger = setTimeout(post, run.lingerMs);
      return { dropped: false };
    },
    flush: () => (queue.length === 0 && !inFlight ? Promise.resolve() : new Promise<void>((resolve) => (drained.push(resolve), post()))),
    close: async () => undefined,
    stats: () => ({ published, acknowledged, buffered: queue.length, spooled: 0, spoolBytes: 0, dropped: 0 }),
  };
  return {
    publisher,
    close: async () => {
      await publisher.flush();
      drained = [];
      await worker.terminate();
    },
  };
}

async function workerMain(run: LeverRun): Promise<void> {
  const KafkaClass = run.encoding === 'tuned' ? tunedKafkajs().kafkajs.Kafka : Kafka;
  const kafka = new KafkaClass({ clientId: `bench-lever-worker-${process.pid}`, brokers: run.brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: run.topic, numPartitions: 6 }], waitForLeaders: true }).catch(() => undefined);
  await admin.disconnect();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: run.encoding === 'tuned' ? createMurmur2Partitioner : Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  parentPort?.postMessage('ready');
  parentPort?.on('message', (batch: PostedBatch) => {
    const values = Buffer.from(batch.values);
    const byTopic = new Map<string, { key: string; value: Buffer; headers?: Record<string, string> }[]>();
    batch.keys.forEach((key, i) => {
      const messages = byTopic.get(batch.topics[i]) ?? [];
      messages.push({ key, value: values.subarray(i === 0 ? 0 : batch.ends[i - 1], batch.ends[i]), headers: batch.headers[i] });
      byTopic.set(batch.topics[i], messages);
    });
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    void producer.sendBatch({ acks: -1, compression: run.compression === 'gzip' ? 1 : 0, topicMessages }).then(
      () => parentPort?.postMessage(batch.keys.length),
      (error: unknown) => {
        console.error('worker send failed', error);
        process.exit(1);
      },
    );
  });
}

if (!isMainThread) void workerMain(workerData as LeverRun);
