import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafkaBus, type BusLogger, type ConsumedRecord } from '@authtrail/event-bus';
import { TOPICS } from '@authtrail/events';
import { formatExportLine } from '@authtrail/integrity';
import { UsageError, type CliIo, type Command } from '../cli-io';
import { commandConfig } from '../config-loading';
import { durationOption, parseOptions } from '../parse-options';

const USAGE = `authtrail export --output FILE [--brokers HOST:PORT,…] [--topic TOPIC]… [--since TIME] [--until TIME]
                 [--config FILE] [--timeout DURATION]

Copies the records of the event topics (default: ${TOPICS.decisions} and ${TOPICS.control}) from Kafka
into a JSONL file, one record per line: its topic, partition, offset and timestamp, then the record
value byte for byte, so that \`authtrail verify --input FILE\` recomputes the hashes of the integrity
chains (docs/integrity.md). Each topic is read from its start to its end as of the call.

  --brokers      Kafka brokers; default: events.kafka.brokers of the config (--config, AUTHTRAIL_CONFIG)
  --topic        a topic to export (repeat for several)
  --since/--until  keep records whose Kafka timestamp is in [since, until) (RFC 3339 or epoch ms);
                 verify such an export with --partial, its chains start in the middle
  --timeout      give up when the topics are not read after this long (default 10m)

Progress goes to standard error.`;

/** Where `authtrail export` and `authtrail verify --brokers` read from. */
export interface KafkaSource {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly timeoutMs: number;
}

export const DEFAULT_EXPORT_TOPICS: readonly string[] = [TOPICS.decisions, TOPICS.control];

/** The brokers of --brokers, else of the config. */
export function brokersOption(brokers: string | undefined, config: string | undefined, io: CliIo): string[] {
  if (brokers !== undefined) {
    const list = brokers.split(',').map((broker) => broker.trim()).filter((broker) => broker !== '');
    if (list.length === 0 || list.some((broker) => !/^\S+:\d{1,5}$/.test(broker))) throw new UsageError(`--brokers: "${brokers}" is not a list of HOST:PORT`);
    return list;
  }
  const kafka = commandConfig(config, io).events.kafka;
  if (!kafka) throw new UsageError('no Kafka brokers: give --brokers, or a config that names events.kafka.brokers');
  return [...kafka.brokers];
}

/** Reads every topic from its start to its end; records of one partition come in offset order. */
export async function readKafkaTopics(source: KafkaSource, io: CliIo, handle: (record: ConsumedRecord) => void): Promise<void> {
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'authtrail-read-'));
  const logger: BusLogger = { info: () => undefined, warn: (_fields, message) => io.stderr(`${message}\n`), error: (_fields, message) => io.stderr(`${message}\n`) };
  const bus = createKafkaBus({ brokers: source.brokers, clientId: 'authtrail-cli-export', mode: 'strict', spoolDir, logger });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the topics were not read within ${Math.round(source.timeoutMs / 1000)} s (is Kafka at ${source.brokers.join(',')} reachable?)`)), source.timeoutMs);
  });
  try {
    // All topics at once: a chain spans the decision and the control topic, and a verifier
    // buffers what arrives ahead of a missing position, so reading them side by side keeps that small.
    await Promise.race([Promise.all(source.topics.map((topic) => bus.subscriber.readToEnd(topic, handle))), timedOut]);
  } finally {
    clearTimeout(timer);
    await bus.close();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

export function timeOption(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{1,16}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--${option}: "${value}" is not an RFC 3339 time (2026-12-06T10:00:00Z) or epoch milliseconds`);
  return ms;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'copy the event topics from Kafka into a JSONL file, record values byte for byte',
  usage: USAGE,
  async run(args, io) {
    const o = parseOptions(args, {
      output: { type: 'string', short: 'o' },
      brokers: { type: 'string' },
      topic: { type: 'string', multiple: true },
      since: { type: 'string' },
      until: { type: 'string' },
      config: { type: 'string', short: 'c' },
      timeout: { type: 'string' },
    });
    if (o.output === undefined || o.output === '') throw new UsageError('--output FILE is required (record values are written byte for byte, not through a terminal)');
    const since = timeOption(o.since, 'since');
    const until = timeOption(o.until, 'until');
    if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until must be after --since');
    const source: KafkaSource = { brokers: brokersOption(o.brokers, o.config, io), topics: o.topic ?? DEFAULT_EXPORT_TOPICS, timeoutMs: durationOption(o.timeout, 'timeout', '10m') };

    const file = path.resolve(io.cwd, o.output);
    const fd = openSync(file, 'w', 0o600);
    const counts = { written: 0, outsideRange: 0, tombstones: 0, unwritable: 0 };
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = () => {
      if (pending.length > 0) writeSync(fd, Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    };
    try {
      await readKafkaTopics(source, io, (record) => {
        const timestamp = Number(record.timestamp);
        if ((since !== undefined && timestamp < since) || (until !== undefined && timestamp >= until)) return void (counts.outsideRange += 1);
        if (record.value === null) return void (counts.tombstones += 1);
        if (record.value.includes(0x0a)) {
          // Not a record value authtrail writes (JSON.stringify never emits a raw newline): named, not silently dropped.
          io.stderr(`skipped ${record.topic} partition ${record.partition} offset ${record.offset}: its value holds a raw newline\n`);
          return void (counts.unwritable += 1);
        }
        const line = formatExportLine({ topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp, value: record.value });
        pending.push(line);
        pendingBytes += line.length;
        counts.written += 1;
        if (pendingBytes >= 1 << 20) flush();
        if (counts.written % 100_000 === 0) io.stderr(`exported ${counts.written} records (now at ${record.topic} partition ${record.partition} offset ${record.offset})\n`);
      });
      flush();
    } finally {
      closeSync(fd);
    }
    const skipped = [
      counts.outsideRange > 0 ? `${counts.outsideRange} outside the time range` : '',
      counts.tombstones > 0 ? `${counts.tombstones} without a value` : '',
      counts.unwritable > 0 ? `${counts.unwritable} holding a raw newline` : '',
    ].filter((part) => part !== '');
    io.stderr(`exported ${counts.written} records from ${source.topics.join(', ')} to ${o.output}${skipped.length > 0 ? ` (skipped: ${skipped.join(', ')})` : ''}\n`);
    if (since !== undefined) io.stderr('the export starts at a time, so its chains start in the middle: verify it with --partial\n');
  },
};
