// Starting a real exporter against the test broker: the event-bus Kafka subscriber, the kafkajs
// topic writer, a unique consumer group, and a pino logger writing into memory so tests can
// check what was logged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createKafkaBus, type EventBus } from '@authtrail/event-bus';
import pino from 'pino';
import type { Counter } from 'prom-client';
import { createKafkaTopicWriter } from '../kafka/kafka-topic-writer';
import type { TopicWriter } from '../kafka/topic-writer.port';
import { parseSiemConfig } from '../siem.config';
import { startSiemExporter, type SiemExporter } from '../siem-exporter';

export interface RunningExporter {
  readonly exporter: SiemExporter;
  readonly logs: () => string;
  stop(): Promise<void>;
}

export async function startTestExporter(brokers: readonly string[], rawSiem: Record<string, unknown>, env: Record<string, string> = {}): Promise<RunningExporter> {
  const parsed = parseSiemConfig({ retry: { initialDelay: '50ms', maxDelay: '500ms' }, ...rawSiem });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const spoolDir = mkdtempSync(join(tmpdir(), 'siem-test-spool-'));
  const bus: EventBus = createKafkaBus({ brokers, clientId: 'siem-test', mode: 'strict', spoolDir });
  const topicWriter: TopicWriter = createKafkaTopicWriter({ brokers, clientId: 'siem-test-writer' });
  let logText = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString('utf8');
      done();
    },
  });
  const exporter = await startSiemExporter(parsed.config, { subscriber: bus.subscriber, topicWriter, logger: pino({ level: 'debug' }, sink), env });
  return {
    exporter,
    logs: () => logText,
    async stop() {
      await exporter.stop();
      await topicWriter.close();
      await bus.close();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

/** The value of a counter for one sink (0 when never incremented). */
export async function counterValue(counter: Counter<'sink'>, sink: string): Promise<number> {
  const metric = await counter.get();
  return metric.values.find((v) => v.labels['sink'] === sink)?.value ?? 0;
}
