// PostgreSQL killed with an immediate shutdown (a crash, not a clean stop) under load, three
// times. The batch transactions commit asynchronously, so each crash loses commits the projector
// was told had succeeded (the spec checks that the stored checkpoints really went back); the
// projector must resume from the stored checkpoints, not from its memory, and end with the read
// models a clean run has.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafkaBus, type ConsumedBatch, type Subscriber } from '@authtrail/event-bus';
import { openReadModel, runMigrations } from '@authtrail/read-model';
import { freePort, testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { Registry } from 'prom-client';
import { spawnTsx } from '../testdata/child-process';
import { generateEvents, isDecision } from '../testdata/event-generator';
import { createTopics, flowEvents, projectCleanRun, queryRows, releaseHeld, snapshotReadModels, waitUntilCaughtUp, type HeldBySpec } from '../testdata/projector.harness';
import { publisherDeadLetters } from './bus-dead-letters';
import { resolveProjectorConfig } from './projector.config';
import { startProjector } from './projector';

const kafka = testKafka('projector-pg-crash');
const POSTGRES_CHILD = path.join(__dirname, '../testdata/postgres-crash.child.ts');
const CRASHES = 3;

const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * The projector's subscriber, with a hand on its batches: `onCommitted` runs right after a batch's
 * transaction committed (before the bus hears of it), and while `held` is set, batches wait —
 * except the first, which must meet the dead database so the projector sees an error.
 */
class CrashingSubscriber implements Subscriber {
  onCommitted: (batch: ConsumedBatch) => void = () => undefined;
  held: { failedOnce: boolean; release: Promise<void> } | undefined;
  constructor(private readonly inner: Subscriber) {}

  subscribe: Subscriber['subscribe'] = (options) =>
    this.inner.subscribe({
      ...options,
      handleBatch: async (batch) => {
        const held = this.held;
        if (held?.failedOnce) await held.release;
        try {
          await options.handleBatch(batch);
        } catch (error) {
          if (held) held.failedOnce = true;
          throw error;
        }
        this.onCommitted(batch);
      },
    });

  readToEnd: Subscriber['readToEnd'] = (topic, handle) => this.inner.readToEnd(topic, handle);
}

describe('PostgreSQL crashed (immediate shutdown) under load', () => {
  const topics = { decisions: uniqueTopic('pgc.decisions'), control: uniqueTopic('pgc.control'), deadLetter: uniqueTopic('pgc.dlq') };
  const events = generateEvents(12_000, { seed: 41 });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'projector-pgc-'));
  const spool = mkdtempSync(path.join(tmpdir(), 'projector-pgc-spool-'));
  const held: HeldBySpec = { dirs: [dataDir, spool] };
  afterAll(() => releaseHeld(held), 60_000);

  it('after three crashes that lose acknowledged commits, the read models equal the events sent and a clean run', async () => {
    const child = spawnTsx(POSTGRES_CHILD, [dataDir, String(await freePort())]);
    held.postgres = child;
    const [url, pid] = (await child.waitForLine(/^started /, 90_000)).split(' ').slice(1);
    let postmaster = Number(pid);
    await runMigrations(url);
    const db = await openReadModel(url, { poolSize: 4 });
    held.db = db;
    await createTopics(kafka, topics);
    const bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'pg-crash', mode: 'strict', spoolDir: spool });
    held.bus = bus;
    const subscriber = new CrashingSubscriber(bus.subscriber);
    const config = resolveProjectorConfig({ groupId: uniqueTopic('pgc.group'), topics: [topics.decisions, topics.control], deadLetterTopic: topics.deadLetter });
    held.projector = await startProjector(config, { db, subscriber, deadLetters: publisherDeadLetters(bus.publisher), registry: new Registry() });

    // Events flow all along (300 every ~100 ms), the last 3,000 after the last crash.
    const producer = kafka.producer();
    await producer.connect();
    const flowing = flowEvents(producer, topics, events, { chunk: 300, pauseMs: 100, holdBack: 3_000 });

    // Where the projector was told each partition is committed (next offset).
    const told = new Map<string, bigint>();
    let commits = 0;
    let crashNow: { held: NonNullable<CrashingSubscriber['held']>; crashed: (toldAtCrash: Map<string, bigint>) => void } | undefined;
    subscriber.onCommitted = (batch) => {
      told.set(partitionKey(batch.topic, batch.partition), BigInt(batch.records[batch.records.length - 1].offset) + 1n);
      commits += 1;
      if (!crashNow) return;
      // Right after a commit, before the slowed WAL writer wrote it out.
      subscriber.held = crashNow.held;
      process.kill(postmaster, 'SIGQUIT');
      crashNow.crashed(new Map(told));
      crashNow = undefined;
    };
    let crashesThatLostCommits = 0;
    for (let crash = 1; crash <= CRASHES; crash += 1) {
      const before = commits;
      const deadline = Date.now() + 60_000;
      while (commits < before + 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(commits).toBeGreaterThanOrEqual(before + 3);
      let release: () => void = () => undefined;
      const held = { failedOnce: false, release: new Promise<void>((resolve) => (release = resolve)) };
      const crashed = new Promise<Map<string, bigint>>((resolve) => (crashNow = { held, crashed: resolve }));
      const toldAtCrash = await crashed;
      child.output.length = 0;
      await child.waitForLine(/^crashed$/, 30_000);
      // The projector met the dead database (a failed batch) before it comes back.
      const failingUntil = Date.now() + 30_000;
      while (!held.failedOnce && Date.now() < failingUntil) await new Promise((r) => setTimeout(r, 20));
      expect(held.failedOnce).toBe(true);

      child.process.stdin.write('start\n');
      postmaster = Number((await child.waitForLine(/^started /, 60_000)).split(' ')[2]);
      // Right after the restart (no batch can write: they are held): did the checkpoints go back?
      const stored = await queryRows<{ topic: string; partition: number; next_offset: string }>(url, `SELECT topic, partition, next_offset::text FROM projector_checkpoint WHERE group_id = $1`, [config.groupId]);
      const storedAt = new Map(stored.map((r) => [partitionKey(r.topic, r.partition), BigInt(r.next_offset)]));
      const wentBack = [...toldAtCrash].filter(([k, offset]) => (storedAt.get(k) ?? 0n) < offset);
      if (wentBack.length > 0) crashesThatLostCommits += 1;
      process.stdout.write(`[pg-crash] crash ${crash}: checkpoints back on ${wentBack.map(([k, o]) => `${k} ${o} -> ${storedAt.get(k) ?? 0n}`).join(', ') || 'no partition'}\n`);
      subscriber.held = undefined;
      release();
    }
    expect(await flowing.finish()).toBe(events.length);
    await producer.disconnect();
    // The spec is only worth something if the crashes lost acknowledged commits.
    expect(crashesThatLostCommits).toBeGreaterThan(0);

    await waitUntilCaughtUp(url, config.groupId, kafka, config.topics, 120_000);

    // Counts computed from the events sent.
    const decisions = events.filter(isDecision);
    const withUser = decisions.filter((e) => e.data.user !== undefined);
    const [counts] = await queryRows<{ decisions: number; allowed: number; controls: number; identities: number; identityEvents: number }>(
      url,
      `SELECT (SELECT count(*)::int FROM decision) AS decisions,
              (SELECT count(*)::int FROM decision WHERE decision = 'allow') AS allowed,
              (SELECT count(*)::int FROM control_event) AS controls,
              (SELECT count(*)::int FROM identity) AS identities,
              (SELECT coalesce(sum(success_count + failure_count), 0)::int FROM identity) AS "identityEvents"`,
    );
    expect(counts).toEqual({
      decisions: decisions.length,
      allowed: decisions.filter((e) => e.data.decision === 'allow').length,
      controls: events.length - decisions.length,
      identities: new Set(withUser.map((e) => e.data.user?.username)).size,
      identityEvents: withUser.length,
    });

    // And every table equals a clean projection of the same topics (shared test server).
    const cleanUrl = await projectCleanRun({ prefix: 'pgc', subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), topics: config.topics, deadLetterTopic: topics.deadLetter });
    expect(await snapshotReadModels(url)).toEqual(await snapshotReadModels(cleanUrl));
  }, 300_000);
});
