// A producer chain made the way authn makes it: real decision and control events from the
// libs/events builders, positioned by a ChainWriter, checkpointed by a CheckpointSigner, laid out
// on Kafka-like partition logs (decisions by user over three partitions, control on one).
import { generateKeyPairSync } from 'node:crypto';
import { PRODUCER_STATUS_EVENT_TYPE, TOPICS, controlEvent, decisionEvent, encodeEvent, eventSource, type DecisionData } from '@authtrail/events';
import { ChainWriter } from '../chain-writer';
import { CheckpointSigner } from '../checkpoint-signer';
import type { SigningKey } from '../key-ring';
import type { RecordLocation } from '../verification-report';

export const DECISION_PARTITIONS = 3;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const START = Date.parse('2026-12-06T10:00:00.000Z');

/** A fresh Ed25519 key pair as PEM text, generated per test run (never a pasted secret). */
export function ed25519Pem(): { readonly privatePem: string; readonly publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

export interface ProducedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly sequence: number;
  readonly checkpoint: boolean;
  readonly value: Buffer;
}

export interface ProducedChain {
  /** In publication (chain) order. */
  readonly records: readonly ProducedRecord[];
  readonly writer: ChainWriter;
}

export interface ProduceOptions {
  readonly key: SigningKey;
  readonly instance?: string;
  /** UUIDv7 of the boot. */
  readonly boot?: string;
  readonly events: number;
  readonly checkpointEvery: number;
  /** The last checkpoint of an earlier boot of the instance. */
  readonly lastCheckpoint?: string | null;
  /** A final checkpoint after the last event (a clean stop). Default true. */
  readonly closingCheckpoint?: boolean;
  /** Milliseconds after START of the first event. */
  readonly startOffset?: number;
}

let ids = 0;
function eventId(time: number): string {
  ids += 1;
  const hex = time.toString(16).padStart(12, '0');
  const counter = ids.toString(16).padStart(15, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-7${counter.slice(0, 3)}-8${counter.slice(3, 6)}-${counter.slice(6).padStart(12, '0')}`;
}

export function produceChain(options: ProduceOptions): ProducedChain {
  const instance = options.instance ?? 'authn-0';
  const boot = options.boot ?? '019af2b0-0000-7000-8000-000000000001';
  const source = eventSource('authn', instance);
  const writer = new ChainWriter({ instance, boot, lastCheckpoint: options.lastCheckpoint ?? null });
  const signer = new CheckpointSigner({ key: options.key, everyEvents: options.checkpointEvery, everyMillis: 3_600_000, startedAt: START });
  const records: ProducedRecord[] = [];
  let clock = START + (options.startOffset ?? 0);

  const publishCheckpoint = () => {
    const written = signer.checkpoint(writer, { id: eventId(clock), time: new Date(clock), source });
    if (written) records.push({ topic: written.record.topic, partition: 0, sequence: written.event.chainseq, checkpoint: true, value: written.record.value });
  };

  for (let n = 1; n <= options.events; n += 1) {
    clock += 7;
    const time = new Date(clock);
    const position = writer.next();
    // Every tenth event is a control event of the same producer: the chain covers all it publishes.
    const isStatus = n % 10 === 5;
    const event = isStatus
      ? controlEvent({ id: eventId(clock), time, source, type: PRODUCER_STATUS_EVENT_TYPE, data: { instance, boot, state: 'running', lastSequence: n, dropped: 0 } })
      : decisionEvent({ id: eventId(clock), time, source, data: decisionData(instance, boot, n) });
    const value = encodeEvent({ ...event, ...position } as typeof event);
    writer.commit(value, event.time);
    const user = USERS[n % USERS.length];
    records.push({ topic: isStatus ? TOPICS.control : TOPICS.decisions, partition: isStatus ? 0 : USERS.indexOf(user) % DECISION_PARTITIONS, sequence: position.chainseq, checkpoint: false, value });
    if (signer.due(writer, clock)) publishCheckpoint();
  }
  if (options.closingCheckpoint ?? true) publishCheckpoint();
  return { records, writer };
}

function decisionData(instance: string, boot: string, n: number): DecisionData {
  const username = USERS[n % USERS.length];
  const allow = n % 3 !== 0;
  return {
    decision: allow ? 'allow' : 'deny',
    httpStatus: allow ? 200 : 401,
    reason: allow ? 'ok' : 'unknown_token',
    strategy: 'static-token',
    attempts: [{ strategy: 'static-token', outcome: allow ? 'authenticated' : 'rejected', ...(allow ? {} : { reason: 'unknown_token' as const }) }],
    ...(allow ? { user: { username, uid: `uid-${username}`, groups: ['system:authenticated', 'developers'], extra: {} } } : {}),
    request: { endpoint: 'tokenreview', sourceIp: `10.0.${n % 250}.7`, userAgent: 'kube-apiserver/v1.31.0 (linux/amd64) kubernetes/abc1234', method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews' },
    latencyMicros: 100 + n,
    instance,
    boot,
    sequence: n,
  };
}

export interface DeliveredRecord {
  readonly value: Buffer;
  readonly location: RecordLocation;
}

/** The partition logs the records land in (offsets 0, 1, 2 … per topic-partition, in publication order). */
export function partitionLogs(records: readonly ProducedRecord[]): Map<string, DeliveredRecord[]> {
  const logs = new Map<string, DeliveredRecord[]>();
  for (const record of records) {
    const key = `${record.topic}#${record.partition}`;
    const log = logs.get(key) ?? [];
    log.push({ value: record.value, location: { topic: record.topic, partition: record.partition, offset: String(log.length) } });
    logs.set(key, log);
  }
  return logs;
}

/** Reads the logs one partition after the other (the least favourable order for a chain). */
export function partitionByPartition(logs: Map<string, DeliveredRecord[]>): DeliveredRecord[] {
  return [...logs.keys()].sort().reverse().flatMap((key) => logs.get(key) as DeliveredRecord[]);
}

/** Reads the logs round-robin, one record from each partition in turn. */
export function roundRobin(logs: Map<string, DeliveredRecord[]>): DeliveredRecord[] {
  const queues = [...logs.values()].map((log) => [...log]);
  const out: DeliveredRecord[] = [];
  while (queues.some((queue) => queue.length > 0)) for (const queue of queues) if (queue.length > 0) out.push(queue.shift() as DeliveredRecord);
  return out;
}
