// The projector's health through a Kafka restart (issue #18 item 6): with the broker stopped,
// /healthz's verdict turns 503 once Kafka has not answered for stallAfter; after the restart the
// projector catches up and the verdict is 200 with lag 0 again. A private broker: the shared
// one must stay up for every other file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafkaBus } from '@authtrail/event-bus';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase, startKafkaBroker, uniqueTopic, waitFor, type RunningKafkaBroker } from '@authtrail/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { generateEvents, isDecision } from '../testdata/event-generator';
import { createTopics, produceEvents, queryRows } from '../testdata/projector.harness';
import { publisherDeadLetters } from './bus-dead-letters';
import { resolveProjectorConfig } from './projector.config';
import { startProjector, type RunningProjector } from './projector';
import { startHealthProbe, type HealthProbe, type HealthVerdict } from './projector-health';

const STALL_AFTER_MS = 2_000;

describe('projector health across a Kafka restart', () => {
  let workDir: string;
  let broker: RunningKafkaBroker;
  let db: ReadModelDb | undefined;
  let bus: ReturnType<typeof createKafkaBus> | undefined;
  let projector: RunningProjector | undefined;
  let probe: HealthProbe | undefined;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'projector-health-'));
    broker = await startKafkaBroker({ dataDir: path.join(workDir, 'kafka'), log: () => undefined });
  }, 120_000);
  afterAll(async () => {
    probe?.stop();
    await projector?.stop().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    await broker?.destroy();
    rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('reports Kafka unreachable with 503 during the outage, and lag 0 with 200 once it caught up after the restart', async () => {
    const kafka = () => new Kafka({ clientId: 'health-test', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const topics = { decisions: uniqueTopic('health.decisions'), control: uniqueTopic('health.control'), deadLetter: uniqueTopic('health.dlq') };
    await createTopics(kafka(), topics);
    const url = await createTestDatabase('projector_health');
    await runMigrations(url);
    db = await openReadModel(url);
    const events = generateEvents(600, { seed: 7 });
    const decisions = events.filter(isDecision).length;
    const send = async (slice: typeof events) => {
      const producer = kafka().producer();
      await producer.connect();
      await produceEvents(producer, topics, slice);
      await producer.disconnect();
    };
    await send(events.slice(0, 300));

    const busLines: string[] = [];
    const busLogger = {
      info: (fields: object, message: string) => void busLines.push(`info ${message} ${JSON.stringify(fields)}`),
      warn: (fields: object, message: string) => void busLines.push(`warn ${message} ${JSON.stringify(fields)}`),
      error: (fields: object, message: string) => void busLines.push(`error ${message} ${JSON.stringify(fields)}`),
    };
    bus = createKafkaBus({ brokers: [broker.brokers], clientId: 'health-projector', mode: 'strict', spoolDir: path.join(workDir, 'spool'), bootRetry: { initialDelayMs: 200, maxDelayMs: 1_000 }, logger: busLogger });
    const config = resolveProjectorConfig({ groupId: uniqueTopic('health.group'), topics: [topics.decisions, topics.control], deadLetterTopic: topics.deadLetter });
    projector = await startProjector(config, { db, subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), registry: new Registry() });
    const running = bus;
    probe = startHealthProbe({ db, groupId: config.groupId, topics: config.topics, endOffsets: (topic) => running.endOffsets(topic), stallAfterMs: STALL_AFTER_MS, intervalMs: 200 });
    const health = probe;
    const caughtUp = () => waitFor('healthy with lag 0', async () => (health.verdict().healthy && health.verdict().body.status === 'ok' && health.verdict().body.lag === 0 ? true : undefined), { timeoutMs: 90_000 });
    await caughtUp();

    await broker.stop();
    const outage: HealthVerdict = await waitFor('503 during the outage', async () => (health.verdict().healthy ? undefined : health.verdict()), { timeoutMs: 30_000 });
    expect(outage.body.status).toBe('unreachable');
    expect(outage.body.reason).toMatch(/^Kafka does not answer for \d+ s$/);

    broker = await startKafkaBroker({ dataDir: broker.dataDir, port: broker.port, controllerPort: broker.controllerPort, log: () => undefined });
    await send(events.slice(300));
    // Whatever the consumer group does after the restart, every unhealthy verdict says why.
    const seen: HealthVerdict[] = [];
    await waitFor(
      'caught up after the restart',
      async () => {
        const verdict = health.verdict();
        seen.push(verdict);
        const [row] = await queryRows<{ n: number }>(url, 'SELECT count(*)::int AS n FROM decision');
        return verdict.healthy && verdict.body.lag === 0 && row.n === decisions ? true : undefined;
      },
      { timeoutMs: 120_000, diagnostics: () => `last verdict ${JSON.stringify(health.verdict())}\nbus log:\n${busLines.slice(-20).join('\n')}` },
    );
    for (const verdict of seen.filter((v) => !v.healthy)) expect(['unreachable', 'stalled']).toContain(verdict.body.status);
    process.stdout.write(`[health] after the restart: ${[...new Set(seen.map((v) => v.body.status))].join(' → ')}; longest without progress ${Math.max(...seen.map((v) => v.body.secondsSinceProgress))} s\n`);
    expect(health.verdict().body).toMatchObject({ status: 'ok', lag: 0 });
  }, 240_000);
});
