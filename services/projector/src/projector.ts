// The projector: a consumer group over the decision and control topics that keeps the Postgres
// read models. Exactly once in effect: per batch one transaction (events + read models +
// checkpoint); the Kafka offset is committed by the bus only after that transaction committed;
// on assignment the partition resumes from the checkpoint; a redelivered event hits the
// decision table's primary key and changes nothing. After any failed batch (the database went
// away, or a batch found the stored checkpoint moved) the bus asks resolveStartOffsets again, so
// every partition resumes from the stored checkpoint, never from this process's memory: a
// PostgreSQL crash can lose commits that had been acknowledged (`synchronous_commit = off`).
import type { ConsumedBatch, Subscriber, Subscription, TopicPartitionOffset } from '@authtrail/event-bus';
import type { VerificationKeyRing } from '@authtrail/integrity';
import { readCheckpoints, recordProjectorError, type ReadModelDb } from '@authtrail/read-model';
import { Registry } from 'prom-client';
import { projectRecords } from './batch.handler';
import { caughtUpWithKafka, type EndOffsets } from './integrity/caught-up';
import { startChainVerification, type RunningChainVerification } from './integrity/chain-verification';
import { toDeadLetter, type DeadLetterSink } from './dead-letter';
import type { ProjectorConfig } from './projector.config';
import { createProjectorMetrics, type ProjectorMetrics } from './projector.metrics';

export interface ProjectorLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ProjectorDeps {
  readonly db: ReadModelDb;
  readonly subscriber: Subscriber;
  readonly deadLetters: DeadLetterSink;
  readonly registry?: Registry;
  readonly logger?: ProjectorLogger;
  readonly now?: () => number;
  /** Verify the producers' hash chains as they are projected (docs/integrity.md); absent: links are stored, not verified here. */
  readonly integrity?: ProjectorIntegrity;
}

export interface ProjectorIntegrity {
  readonly keys: VerificationKeyRing;
  readonly gapGraceMs: number;
  /** Kafka's end offsets (createKafkaBus().endOffsets): a gap is named only once the group has caught up with them. */
  readonly endOffsets?: EndOffsets;
  /** Period of the verifier's own passes (default 1 s); tests that drive `pass()` themselves set it long. */
  readonly intervalMs?: number;
}

export interface ProjectorStats {
  readonly projected: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly failedBatches: number;
}

export interface RunningProjector {
  readonly metrics: ProjectorMetrics;
  /** Present when deps.integrity was given. */
  readonly integrity?: RunningChainVerification;
  stats(): ProjectorStats;
  /** Stops consuming after the batch in flight; the read models stay consistent at any point. */
  stop(): Promise<void>;
}

const silent: ProjectorLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Error text safe to store: the class and message of a database or Kafka error, never record content. */
function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return 'unknown error';
}

export async function startProjector(config: ProjectorConfig, deps: ProjectorDeps): Promise<RunningProjector> {
  const logger = deps.logger ?? silent;
  const now = deps.now ?? Date.now;
  const metrics = createProjectorMetrics(deps.registry ?? new Registry());
  const stats = { projected: 0, duplicates: 0, deadLettered: 0, failedBatches: 0 };
  // Per partition, the stored checkpoint as of the last assignment, re-read or batch committed:
  // records below it are in Postgres, and the next batch must find it stored (continuesCheckpoint).
  const resumeAt = new Map<string, bigint>();
  // Errors not yet in the status table (Postgres was what failed): written with the next checkpoint.
  const unrecordedErrors = new Map<string, { message: string; at: string }>();
  const key = (topic: string, partition: number): string => `${topic}/${partition}`;

  async function resolveStartOffsets(assigned: readonly { topic: string; partition: number }[]): Promise<readonly TopicPartitionOffset[]> {
    const checkpoints = await readCheckpoints(deps.db, config.groupId, assigned);
    const found = new Map(checkpoints.map((c) => [key(c.topic, c.partition), c.nextOffset]));
    // No checkpoint means nothing of this partition is in Postgres (new or emptied database):
    // start at the beginning, whatever offset the group committed before.
    const starts = assigned.map(({ topic, partition }) => ({ topic, partition, offset: found.get(key(topic, partition)) ?? '0' }));
    for (const s of starts) resumeAt.set(key(s.topic, s.partition), BigInt(s.offset));
    logger.info({ groupId: config.groupId, starts }, 'resuming partitions from the Postgres checkpoints (assigned, or after a failed batch)');
    return starts;
  }

  async function handleBatch(batch: ConsumedBatch): Promise<void> {
    const { topic, partition } = batch;
    const resolved = resumeAt.get(key(topic, partition));
    const from = resolved ?? 0n;
    const records = batch.records.filter((r) => BigInt(r.offset) >= from);
    if (records.length === 0) return;
    const started = now();
    try {
      const last = records[records.length - 1].offset;
      const nextOffset = (BigInt(last) + 1n).toString();
      const { outcome, poison } = await projectRecords(
        deps.db,
        records,
        {
          groupId: config.groupId,
          topic,
          partition,
          nextOffset,
          highWatermark: batch.highWatermark,
          ...(resolved !== undefined ? { continuesCheckpoint: resolved.toString() } : {}),
          ...(unrecordedErrors.has(key(topic, partition)) ? { lastError: unrecordedErrors.get(key(topic, partition)) } : {}),
        },
        {
          // Durable in the dead-letter topic before the checkpoint moves past them.
          onPoison: (found) => deps.deadLetters(found.map((p) => toDeadLetter(p.record, p.reason, p.detail, config.deadLetterTopic))),
        },
      );
      unrecordedErrors.delete(key(topic, partition));
      stats.projected += outcome.projected;
      stats.duplicates += outcome.duplicates;
      stats.deadLettered += outcome.deadLettered;
      metrics.events.inc({ topic, result: 'projected' }, outcome.projected);
      metrics.events.inc({ topic, result: 'duplicate' }, outcome.duplicates);
      metrics.events.inc({ topic, result: 'dead_lettered' }, outcome.deadLettered);
      for (const p of poison) metrics.deadLetters.inc({ reason: p.reason });
      metrics.batchSize.observe(records.length);
      metrics.batchSeconds.observe((now() - started) / 1000);
      metrics.lag.set({ topic, partition: String(partition) }, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(nextOffset))));
      metrics.noteProjected(outcome.projected, now());
      resumeAt.set(key(topic, partition), BigInt(nextOffset));
      if (poison.length > 0) {
        logger.warn({ topic, partition, reasons: poison.map((p) => p.reason) }, 'poison records sent to the dead-letter topic');
      }
    } catch (error) {
      stats.failedBatches += 1;
      metrics.errors.inc();
      metrics.lastErrorTime.set(now() / 1000);
      const message = describeError(error);
      logger.error({ topic, partition, error: message }, 'projecting a batch failed; it will be delivered again');
      // Postgres may be the thing that is down: then the next checkpoint records the error.
      const recorded = await recordProjectorError(deps.db, { groupId: config.groupId, topic, partition }, message).then(
        () => true,
        () => false,
      );
      if (recorded) unrecordedErrors.delete(key(topic, partition));
      else unrecordedErrors.set(key(topic, partition), { message, at: new Date(now()).toISOString() });
      throw error;
    }
  }

  const subscription: Subscription = await deps.subscriber.subscribe({
    groupId: config.groupId,
    topics: config.topics,
    fromBeginning: true,
    resolveStartOffsets,
    handleBatch,
  });

  const endOffsets = deps.integrity?.endOffsets;
  const integrity = deps.integrity
    ? startChainVerification(deps.db, {
        keys: deps.integrity.keys,
        gapGraceMs: deps.integrity.gapGraceMs,
        ...(deps.integrity.intervalMs !== undefined ? { intervalMs: deps.integrity.intervalMs } : {}),
        ...(endOffsets ? { caughtUp: () => caughtUpWithKafka(deps.db, config.groupId, config.topics, endOffsets) } : {}),
        logger,
        ...(deps.registry ? { registry: deps.registry } : {}),
        ...(deps.now ? { now: deps.now } : {}),
      })
    : undefined;

  return {
    metrics,
    ...(integrity ? { integrity } : {}),
    stats: () => ({ ...stats }),
    async stop() {
      await subscription.stop();
      await integrity?.stop();
    },
  };
}
