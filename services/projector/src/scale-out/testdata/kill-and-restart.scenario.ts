// N projector processes in one consumer group over a decision topic of several partitions;
// while events flow, one is SIGKILLed (no shutdown code runs: its Kafka session and any open
// transaction are simply cut), the group moves its partitions to the others once Kafka expires
// its session, then it is started again and the group moves partitions back to it. The spec
// compares the result with what was sent and with one projector's clean run of the same topics.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafkaBus } from '@authtrail/event-bus';
import { runMigrations } from '@authtrail/read-model';
import { createTestDatabase, testKafka, testKafkaBrokers, uniqueTopic, waitFor } from '@authtrail/testing';
import { publisherDeadLetters } from '../../bus-dead-letters';
import { generateEvents } from '../../../testdata/event-generator';
import { flowEvents, projectCleanRun, queryRows, snapshotReadModels, waitUntilCaughtUp } from '../../../testdata/projector.harness';
import { assignmentSettled, fleetDiagnostics, startProjectorProcess, type FleetEnvironment, type ProjectorInstance } from './projector-fleet';
import { countsInDatabase, countsOfSent, deadlocksIn, type ReadModelCounts } from './sent-events';
import { createScaleOutTopics } from './topics';

export interface ScenarioOptions {
  /** Projector processes in the group. */
  readonly instances: number;
  readonly decisionPartitions: number;
  readonly events: number;
  readonly seed: number;
}

export interface ScenarioResult {
  readonly sent: ReadModelCounts;
  readonly projected: ReadModelCounts;
  readonly snapshot: Record<string, string>;
  readonly cleanSnapshot: Record<string, string>;
  /** The victim's partitions when it was killed. */
  readonly victimHeld: readonly string[];
  /** Every survivor's partitions after the group moved the victim's away, and after its restart. */
  readonly afterKill: readonly (readonly string[])[];
  readonly afterRestart: readonly (readonly string[])[];
  /** How the victim ended: 'SIGKILL'. */
  readonly victimEnd: NodeJS.Signals | null;
  /** Events generated, and events produced (the whole stream, once). */
  readonly generated: number;
  readonly produced: number;
  readonly finalExits: readonly (number | null)[];
  readonly deadlocks: number;
  /** Seconds from the kill until the survivors held every partition, and from the restart until it held some again (reported, never asserted). */
  readonly takeoverSeconds: number;
  readonly rejoinSeconds: number;
  /** Error lines of every process (a deadlock or a batch that failed would be here). */
  readonly errorLines: readonly string[];
}

async function progressOf(url: string, groupId: string, partitions: readonly string[]): Promise<bigint> {
  const rows = await queryRows<{ key: string; next_offset: string }>(url, `SELECT topic || '/' || partition AS key, next_offset::text FROM projector_checkpoint WHERE group_id = $1`, [groupId]).catch(() => []);
  return rows.filter((r) => partitions.includes(r.key)).reduce((sum, r) => sum + BigInt(r.next_offset), 0n);
}

export async function runKillAndRestartScenario(name: string, options: ScenarioOptions): Promise<ScenarioResult> {
  const kafka = testKafka(name);
  const topics = { decisions: uniqueTopic(`${name}.decisions`), control: uniqueTopic(`${name}.control`), deadLetter: uniqueTopic(`${name}.dlq`) };
  await createScaleOutTopics(kafka, topics, options.decisionPartitions);
  const partitions = [...Array.from({ length: options.decisionPartitions }, (_, p) => `${topics.decisions}/${p}`), `${topics.control}/0`];
  const url = await createTestDatabase(name);
  await runMigrations(url);
  const dataDir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  const env: FleetEnvironment = { brokers: testKafkaBrokers().join(','), databaseUrl: url, groupId: uniqueTopic(`${name}.group`), topics: [topics.decisions, topics.control], deadLetterTopic: topics.deadLetter, dataDir };
  const events = generateEvents(options.events, { seed: options.seed });
  const everyone: ProjectorInstance[] = [];
  const producer = kafka.producer();
  const settle = async (live: readonly ProjectorInstance[], what: string): Promise<void> => {
    await waitFor(what, async () => (assignmentSettled(live, partitions) ? true : undefined), { timeoutMs: 120_000, diagnostics: () => fleetDiagnostics(everyone) });
  };
  try {
    const started = await Promise.all(Array.from({ length: options.instances }, (_, i) => startProjectorProcess(`${name}-${i + 1}`, env)));
    everyone.push(...started);
    await settle(started, `${options.instances} projectors sharing the partitions`);

    await producer.connect();
    // Events flow through the kill and the restart; the last 2,000 are sent after the restart.
    const flowing = flowEvents(producer, topics, events, { chunk: 100, pauseMs: 150, holdBack: 2_000 });

    // The victim: the last instance, killed once it committed a batch of the flowing stream.
    const victim = started[started.length - 1];
    const victimHeld = victim.assigned();
    const before = await progressOf(url, env.groupId, victimHeld);
    await waitFor('the victim committed a batch', async () => ((await progressOf(url, env.groupId, victimHeld)) > before ? true : undefined), { timeoutMs: 60_000, diagnostics: () => fleetDiagnostics(everyone) });
    const killedAt = Date.now();
    await victim.service.kill();
    const victimEnd = victim.service.child.signalCode;
    const survivors = started.slice(0, -1);
    // Kafka gives the victim's partitions to the survivors when its session expires (kafkajs' 30 s).
    await settle(survivors, 'the survivors took over the killed projector\'s partitions');
    const afterKill = survivors.map((s) => s.assigned());
    const takeoverSeconds = (Date.now() - killedAt) / 1000;

    const restartedAt = Date.now();
    const restarted = await startProjectorProcess(`${name}-${options.instances}-restarted`, env);
    everyone.push(restarted);
    const live = [...survivors, restarted];
    await settle(live, 'partitions moved back to the restarted projector');
    const afterRestart = live.map((s) => s.assigned());
    const rejoinSeconds = (Date.now() - restartedAt) / 1000;

    const produced = await flowing.finish();
    await waitUntilCaughtUp(url, env.groupId, kafka, env.topics, 120_000);
    const finalExits = await Promise.all(live.map((s) => s.service.stop()));

    // One projector, undisturbed, over the same topics into a database of its own.
    const spool = mkdtempSync(path.join(tmpdir(), `${name}-clean-`));
    const bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: `${name}-clean`, mode: 'strict', spoolDir: spool });
    let cleanUrl: string;
    try {
      cleanUrl = await projectCleanRun({ prefix: `${name}_clean`, subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher), topics: env.topics, deadLetterTopic: topics.deadLetter });
    } finally {
      await bus.close();
      rmSync(spool, { recursive: true, force: true });
    }
    return {
      sent: countsOfSent(events),
      projected: await countsInDatabase(url),
      snapshot: await snapshotReadModels(url),
      cleanSnapshot: await snapshotReadModels(cleanUrl),
      victimHeld,
      afterKill,
      afterRestart,
      victimEnd,
      generated: events.length,
      produced,
      finalExits,
      deadlocks: await deadlocksIn(url),
      takeoverSeconds,
      rejoinSeconds,
      errorLines: everyone.flatMap((i) => i.errors()),
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await Promise.all(everyone.map((i) => i.service.kill()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
