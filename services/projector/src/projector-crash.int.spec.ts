import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafkaBus } from '@authtrail/event-bus';
import { openReadModel, runMigrations } from '@authtrail/read-model';
import { createTestDatabase, testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { Registry } from 'prom-client';
import { spawnTsx, type Child } from '../testdata/child-process';
import { generateEvents, isDecision } from '../testdata/event-generator';
import { createTopics, flowEvents, queryRows, snapshotReadModels, waitUntilCaughtUp } from '../testdata/projector.harness';
import { publisherDeadLetters } from './bus-dead-letters';
import { resolveProjectorConfig } from './projector.config';
import { startProjector } from './projector';

const kafka = testKafka('projector-crash');
const MAIN = path.join(__dirname, 'main.ts');

async function projectedSoFar(url: string, groupId: string): Promise<bigint> {
  const [row] = await queryRows<{ n: string | null }>(url, `SELECT sum(next_offset)::text AS n FROM projector_checkpoint WHERE group_id = $1`, [groupId]).catch(() => [{ n: null }]);
  return BigInt(row?.n ?? 0);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('projector process killed with SIGKILL while events flow', () => {
  const topics = { decisions: uniqueTopic('crash.decisions'), control: uniqueTopic('crash.control'), deadLetter: uniqueTopic('crash.dlq') };
  const groupId = uniqueTopic('crash.group');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'projector-crash-'));
  const events = generateEvents(12_000, { seed: 11 });
  let url: string;
  const children: Child[] = [];

  beforeAll(async () => {
    url = await createTestDatabase('crash');
    await runMigrations(url);
    await createTopics(kafka, topics);
  });
  afterAll(() => {
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => ({
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    DATABASE_URL: url,
    PROJECTOR_GROUP_ID: groupId,
    PROJECTOR_TOPICS: `${topics.decisions},${topics.control}`,
    PROJECTOR_DEAD_LETTER_TOPIC: topics.deadLetter,
    AUTHTRAIL_DATA_DIR: dataDir,
    AUTHTRAIL_LOG_LEVEL: 'warn',
  });

  it('after three kills and a restart, the read models equal a single clean run', async () => {
    const producer = kafka.producer();
    await producer.connect();
    // Events flow while the kills happen (120 every ~300 ms, keeping the last 2,000 back); the
    // rest is sent after the last kill.
    const flowing = flowEvents(producer, topics, events, { chunk: 120, pauseMs: 300, holdBack: 2_000 });

    let openTransactionsAtKill = 0;
    for (let kill = 1; kill <= 3; kill += 1) {
      const child = spawnTsx(MAIN, ['run'], env());
      children.push(child);
      await child.waitForLine(/projector ready/, 90_000);
      const before = await projectedSoFar(url, groupId);
      // Kill once it has committed at least one more batch: it is in the middle of the stream.
      await until(async () => (await projectedSoFar(url, groupId)) > before, 60_000, `progress before kill ${kill}`);
      const [busy] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'authtrail-projector' AND state IN ('active', 'idle in transaction')`);
      if (busy.n > 0) openTransactionsAtKill += 1;
      child.process.kill('SIGKILL');
      expect(await child.exited).toBe('SIGKILL');
    }
    expect(await flowing.finish()).toBe(events.length);
    await producer.disconnect();

    // Restart: it resumes from the Postgres checkpoints and catches up; SIGTERM stops it cleanly.
    const last = spawnTsx(MAIN, ['run'], env());
    children.push(last);
    await last.waitForLine(/projector ready/, 90_000);
    await waitUntilCaughtUp(url, groupId, kafka, [topics.decisions, topics.control], 90_000);
    last.process.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    // A single clean run over the same topics, in-process, into a database of its own.
    const cleanUrl = await createTestDatabase('crash_clean');
    await runMigrations(cleanUrl);
    const db = await openReadModel(cleanUrl);
    const spool = mkdtempSync(path.join(tmpdir(), 'projector-clean-'));
    const bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: 'crash-clean', mode: 'strict', spoolDir: spool });
    const config = resolveProjectorConfig({ groupId: uniqueTopic('crash.clean'), topics: [topics.decisions, topics.control], deadLetterTopic: topics.deadLetter });
    const clean = await startProjector(config, { db, subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), registry: new Registry() });
    try {
      await waitUntilCaughtUp(cleanUrl, config.groupId, kafka, config.topics, 90_000);
      expect(clean.stats().duplicates).toBe(0);
    } finally {
      await clean.stop();
      await bus.close();
      await db.destroy();
      rmSync(spool, { recursive: true, force: true });
    }

    const [count] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM decision`);
    expect(count.n).toBe(events.filter(isDecision).length);
    expect(await snapshotReadModels(url)).toEqual(await snapshotReadModels(cleanUrl));
    process.stdout.write(`[crash] ${openTransactionsAtKill}/3 kills hit the projector with a database session busy\n`);

    // The replay command rebuilds from the decision table with a progress bar and a final count.
    const replay = spawnTsx(MAIN, ['replay', '--from=database'], env());
    expect(await replay.exited).toBe(0);
    expect(replay.output.some((line) => /^\[replay\] decision \[#+\.*\] \d+\/\d+ \(\d+%\)$/.test(line))).toBe(true);
    expect(replay.output).toContainEqual(expect.stringMatching(new RegExp(`^\\[replay\\] done from database: ${events.length} events projected`)));
    expect(await snapshotReadModels(url)).toEqual(await snapshotReadModels(cleanUrl));
  }, 240_000);
});
