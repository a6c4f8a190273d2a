// Helpers for the projector's integration specs and benchmark: topics, producing events to the
// real broker, waiting until the projector caught up, and snapshots of the read models.
import { rmSync } from 'node:fs';
import type { EventBus, Subscriber } from '@authtrail/event-bus';
import { encodeEvent, partitionKeyOfEvent, type AuthtrailEvent } from '@authtrail/events';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase, testKafka, uniqueTopic } from '@authtrail/testing';
import type { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import type { DeadLetterSink } from '../src/dead-letter';
import { resolveProjectorConfig } from '../src/projector.config';
import { startProjector, type RunningProjector } from '../src/projector';
import type { Child } from './child-process';
import { isDecision } from './event-generator';

export interface TestTopics {
  readonly decisions: string;
  readonly control: string;
  readonly deadLetter: string;
}

export async function createTopics(kafka: Kafka, topics: TestTopics, decisionPartitions = 4): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.decisions, numPartitions: decisionPartitions, replicationFactor: 1 },
        { topic: topics.control, numPartitions: 1, replicationFactor: 1 },
        { topic: topics.deadLetter, numPartitions: 1, replicationFactor: 1 },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

/** Sends events (decisions and control events to their topics) in batches; returns records sent. */
export async function produceEvents(producer: Producer, topics: TestTopics, events: readonly AuthtrailEvent[], batchSize = 2_000): Promise<number> {
  for (let i = 0; i < events.length; i += batchSize) {
    const slice = events.slice(i, i + batchSize);
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const event of slice) {
      const topic = isDecision(event) ? topics.decisions : topics.control;
      const list = byTopic.get(topic) ?? [];
      list.push({ key: partitionKeyOfEvent(event), value: encodeEvent(event) });
      byTopic.set(topic, list);
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }
  return events.length;
}

/** End offsets of every partition of `topics`. */
export async function endOffsets(kafka: Kafka, topics: readonly string[]): Promise<Map<string, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, bigint>();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** Polls the checkpoints until every non-empty partition is projected to its end offset. */
export async function waitUntilCaughtUp(url: string, groupId: string, kafka: Kafka, topics: readonly string[], timeoutMs = 60_000): Promise<void> {
  const ends = await endOffsets(kafka, topics);
  const deadline = Date.now() + timeoutMs;
  const client = new Client({ connectionString: url });
  await client.connect().catch(() => undefined);
  try {
    for (;;) {
      const rows = await client
        .query<{ topic: string; partition: number; next_offset: string }>(`SELECT topic, partition, next_offset::text FROM projector_checkpoint WHERE group_id = $1`, [groupId])
        .then((r) => r.rows)
        .catch(() => []);
      const at = new Map(rows.map((r) => [`${r.topic}/${r.partition}`, BigInt(r.next_offset)]));
      const behind = [...ends].filter(([key, end]) => end > 0n && (at.get(key) ?? 0n) < end);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`projector not caught up after ${timeoutMs} ms: ${behind.map(([k, e]) => `${k} at ${at.get(k) ?? 0n}/${e}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

const SNAPSHOT_QUERIES: Readonly<Record<string, string>> = {
  decision: `SELECT count(*)::text || ':' || md5(coalesce(string_agg(id::text || coalesce(username, '-') || coalesce(host(source_ip), '-'), ',' ORDER BY time, id), '')) AS v FROM decision`,
  control_event: `SELECT count(*)::text || ':' || md5(coalesce(string_agg(id::text, ',' ORDER BY time, id), '')) AS v FROM control_event`,
  identity: `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY username), '[]')::text AS v FROM identity t`,
  credential: `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY fingerprint), '[]')::text AS v FROM credential t`,
  credential_source_ip: `SELECT count(*)::text || ':' || md5(coalesce(string_agg(fingerprint || host(source_ip), ',' ORDER BY fingerprint, source_ip), '')) AS v FROM credential_source_ip`,
  failure_bucket: `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY bucket_key), '[]')::text AS v FROM failure_bucket t`,
  policy_version: `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY version), '[]')::text AS v FROM policy_version t`,
  revocation: `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY revocation_id), '[]')::text AS v FROM revocation t`,
  producer_sequence: `SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY instance, boot), '[]')::text AS v FROM producer_sequence t`,
};

/** Every read model as comparable text (checkpoints and status excluded: they name the group). */
export async function snapshotReadModels(url: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, string> = {};
    for (const [table, sql] of Object.entries(SNAPSHOT_QUERIES)) out[table] = (await client.query<{ v: string }>(sql)).rows[0].v;
    return out;
  } finally {
    await client.end();
  }
}

export async function queryRows<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface CleanRunSetup {
  /** Database name prefix on the shared test server. */
  readonly prefix: string;
  readonly subscriber: Subscriber;
  readonly deadLetters: DeadLetterSink;
  readonly topics: readonly string[];
  readonly deadLetterTopic: string;
}

/**
 * The reference a disturbed run is compared with: the same topics projected once, undisturbed,
 * by an in-process projector of its own group into a fresh database. Returns that database's URL.
 */
export async function projectCleanRun(setup: CleanRunSetup, timeoutMs = 90_000): Promise<string> {
  const url = await createTestDatabase(setup.prefix);
  await runMigrations(url);
  const db = await openReadModel(url);
  const config = resolveProjectorConfig({ groupId: uniqueTopic(`${setup.prefix}.clean`), topics: [...setup.topics], deadLetterTopic: setup.deadLetterTopic });
  const clean = await startProjector(config, { db, subscriber: setup.subscriber, deadLetters: setup.deadLetters, registry: new Registry() });
  try {
    await waitUntilCaughtUp(url, config.groupId, testKafka(`${setup.prefix}-clean`), config.topics, timeoutMs);
  } finally {
    await clean.stop();
    await db.destroy();
  }
  return url;
}

/**
 * Events produced while a spec disturbs the projector: `chunk` every `pauseMs`, keeping the last
 * `holdBack` back; `finish()` sends the rest and resolves with the number produced.
 */
export function flowEvents(producer: Producer, topics: TestTopics, events: readonly AuthtrailEvent[], flow: { chunk: number; pauseMs: number; holdBack: number }): { finish(): Promise<number> } {
  let produced = 0;
  let flowing = true;
  const done = (async () => {
    while (produced < events.length) {
      const size = flowing ? Math.min(flow.chunk, events.length - flow.holdBack - produced) : events.length - produced;
      if (size > 0) {
        await produceEvents(producer, topics, events.slice(produced, produced + size));
        produced += size;
      }
      if (flowing) await new Promise((r) => setTimeout(r, flow.pauseMs));
    }
    return produced;
  })();
  return {
    finish() {
      flowing = false;
      return done;
    },
  };
}

/** What a projector spec with a PostgreSQL child of its own holds; any part may not exist yet. */
export interface HeldBySpec {
  projector?: RunningProjector;
  bus?: EventBus;
  db?: ReadModelDb;
  postgres?: Child;
  readonly dirs: readonly string[];
}

/** Releases it in reverse order of use: projector, bus, pool, the server (`exit` line), directories. */
export async function releaseHeld(held: HeldBySpec): Promise<void> {
  await held.projector?.stop().catch(() => undefined);
  await held.bus?.close();
  await held.db?.destroy().catch(() => undefined);
  held.postgres?.process.stdin.write('exit\n');
  await held.postgres?.exited;
  for (const dir of held.dirs) rmSync(dir, { recursive: true, force: true });
}
