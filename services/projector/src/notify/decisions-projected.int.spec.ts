// The projector's NOTIFY, heard by a plain LISTEN connection as the graphql-api hears it: events
// published to a real Kafka broker, the real projector consuming them into a real PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { createKafkaBus, type ConsumedRecord, type EventBus } from '@authtrail/event-bus';
import { encodeEvent, type AuthtrailEvent } from '@authtrail/events';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase, testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { generateEvents, isDecision } from '../../testdata/event-generator';
import { createTopics, produceEvents, waitUntilCaughtUp } from '../../testdata/projector.harness';
import { CheckpointMovedError, projectRecords } from '../batch.handler';
import { publisherDeadLetters } from '../bus-dead-letters';
import { startProjector } from '../projector';
import { resolveProjectorConfig } from '../projector.config';
import { DECISIONS_PROJECTED_CHANNEL } from './decisions-projected.notification';

const kafka = testKafka('projector-notify');

interface Heard {
  readonly payload: string;
  readonly ids: readonly string[];
  readonly newest: string;
  /** How many of `ids` another connection found in `decision` when the notification arrived. */
  readonly visible: number;
}

/** A LISTEN connection that, for each notification, counts how many of its decisions are already readable elsewhere. */
async function listen(url: string): Promise<{ heard: Heard[]; close(): Promise<void> }> {
  const listener = new Client({ connectionString: url });
  const reader = new Client({ connectionString: url });
  await listener.connect();
  await reader.connect();
  const heard: Heard[] = [];
  let checks = Promise.resolve();
  listener.on('notification', (message) => {
    const payload = message.payload ?? '';
    const parsed = JSON.parse(payload) as { ids: string[]; newest: string };
    checks = checks.then(async () => {
      const found = await reader.query<{ n: number }>('SELECT count(*)::int AS n FROM decision WHERE id = ANY($1::uuid[])', [parsed.ids]);
      heard.push({ payload, ids: parsed.ids, newest: parsed.newest, visible: found.rows[0]!.n });
    });
  });
  await listener.query(`LISTEN ${DECISIONS_PROJECTED_CHANNEL}`);
  return {
    heard,
    async close() {
      await listener.end();
      await checks;
      await reader.end();
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

const toRecords = (events: readonly AuthtrailEvent[], firstOffset = 0): ConsumedRecord[] =>
  events.map((event, i) => ({ topic: 't', partition: 0, offset: String(firstOffset + i), key: null, value: encodeEvent(event), headers: {}, timestamp: '0' }));

describe('decisions-projected notifications', () => {
  let producer: Producer;
  beforeAll(async () => {
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
  });

  it('announce every decision the projector commits from Kafka once, after its rows are readable, duplicates never', async () => {
    const url = await createTestDatabase('notify_kafka');
    await runMigrations(url);
    const db = await openReadModel(url);
    const spool = mkdtempSync(path.join(tmpdir(), 'projector-notify-spool-'));
    const bus: EventBus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'notify-test', mode: 'strict', spoolDir: spool });
    const topics = { decisions: uniqueTopic('notify.decisions'), control: uniqueTopic('notify.control'), deadLetter: uniqueTopic('notify.dlq') };
    await createTopics(kafka, topics);
    const config = resolveProjectorConfig({ groupId: uniqueTopic('notify.group'), topics: [topics.decisions, topics.control], deadLetterTopic: topics.deadLetter });
    const heard = await listen(url);
    const projector = await startProjector(config, { db, subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), registry: new Registry() });
    try {
      const events = generateEvents(3_000, { seed: 20 });
      const decisions = events.filter(isDecision);
      // Every 10th decision published a second time: stored once, announced once.
      await produceEvents(producer, topics, events);
      await produceEvents(producer, topics, decisions.filter((_, i) => i % 10 === 0));
      await waitUntilCaughtUp(url, config.groupId, kafka, config.topics, 120_000);
      const announced = () => heard.heard.flatMap((h) => h.ids);
      await until(() => announced().length >= decisions.length, 'a notification for every decision');

      const timeOf = new Map(decisions.map((d) => [d.id.toLowerCase(), Date.parse(d.time)]));
      expect(announced().sort()).toEqual(decisions.map((d) => d.id.toLowerCase()).sort());
      for (const h of heard.heard) {
        expect(Buffer.byteLength(h.payload)).toBeLessThan(8000);
        expect(h.visible).toBe(h.ids.length);
        for (const id of h.ids) expect(timeOf.get(id)!).toBeLessThanOrEqual(Date.parse(h.newest));
      }
    } finally {
      await projector.stop();
      await heard.close();
      await bus.close();
      await db.destroy();
      rmSync(spool, { recursive: true, force: true });
    }
  }, 240_000);

  it('a batch whose transaction rolls back announces nothing; the next one announces only its own decisions', async () => {
    const url = await createTestDatabase('notify_rollback');
    await runMigrations(url);
    const db: ReadModelDb = await openReadModel(url);
    const heard = await listen(url);
    try {
      const events = generateEvents(400, { seed: 21 });
      const [refused, accepted] = [events.slice(0, 200), events.slice(200)];
      // It claims to continue checkpoint 5 of a partition that has none: refused, rolled back.
      await expect(
        projectRecords(db, toRecords(refused), { groupId: 'g', topic: 't', partition: 0, nextOffset: '200', highWatermark: '200', continuesCheckpoint: '5' }),
      ).rejects.toBeInstanceOf(CheckpointMovedError);
      await projectRecords(db, toRecords(accepted, 200), { groupId: 'g', topic: 't', partition: 0, nextOffset: '400', highWatermark: '400', continuesCheckpoint: '0' });
      const acceptedIds = accepted.filter(isDecision).map((d) => d.id.toLowerCase());
      await until(() => heard.heard.flatMap((h) => h.ids).length >= acceptedIds.length, 'the accepted batch');
      expect(heard.heard.flatMap((h) => h.ids).sort()).toEqual(acceptedIds.sort());
    } finally {
      await heard.close();
      await db.destroy();
    }
  }, 60_000);
});
