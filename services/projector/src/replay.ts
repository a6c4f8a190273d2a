// Rebuilding the read models from the events, two ways:
// - from Postgres: the `decision` and `control_event` tables are the append-only copies of the
//   events; the derived tables are emptied and refolded in ONE transaction, so readers see the
//   old tables until the new ones commit, and a projector running meanwhile waits on the locks.
// - from Kafka: everything (event tables included) is emptied and each topic read from its
//   beginning to its current end; the checkpoints of the group are written as it goes, so the
//   projector (stopped meanwhile) resumes where the replay ended.
import type { AuthtrailEvent } from '@authtrail/events';
import type { ConsumedRecord, Subscriber } from '@authtrail/event-bus';
import {
  applyReadModelChanges,
  countStoredEvents,
  forgetRolledUpPast,
  inTransaction,
  readControlEventPage,
  readDecisionEventPage,
  truncateAllReadModels,
  truncateDerivedReadModels,
  type ReadModelDb,
  type StoredEventCursor,
  type StoredEventPage,
  type SqlRunner,
} from '@authtrail/read-model';
import type { RecordsProjection } from './batch.handler';
import { ProjectionPipeline } from './projection.pipeline';
import type { ProjectorConfig } from './projector.config';
import { evolve } from './read-model.projection';
import { restoreRetiredPast } from './partitions/retired-past';

export interface ReplayProgress {
  readonly source: string;
  readonly done: number;
  /** Known total, when the source can tell. */
  readonly total?: number;
}

export interface ReplayResult {
  readonly events: number;
  readonly skipped: number;
}

export interface ReplayOptions {
  readonly pageSize?: number;
  readonly onProgress?: (progress: ReplayProgress) => void;
}

export async function replayFromDatabase(db: ReadModelDb, options: ReplayOptions = {}): Promise<ReplayResult> {
  const pageSize = options.pageSize ?? 5_000;
  const progress = options.onProgress ?? (() => undefined);
  const totals = await countStoredEvents(db);
  return inTransaction(db, async (tx) => {
    await truncateDerivedReadModels(tx);
    // Retention dropped old partitions: their share of the aggregates starts the fold (retired-past.ts).
    await restoreRetiredPast(tx, pageSize);
    let events = 0;
    const fold = async (source: string, total: number, read: (db: SqlRunner, after: StoredEventCursor | null, limit: number) => Promise<StoredEventPage>) => {
      let after: StoredEventCursor | null = null;
      let done = 0;
      do {
        const page = await read(tx, after, pageSize);
        // The stored payloads were validated when they were first projected.
        await applyReadModelChanges(tx, evolve(page.events as AuthtrailEvent[]));
        done += page.events.length;
        progress({ source, done, total });
        after = page.next;
      } while (after !== null);
      events += done;
    };
    await fold('control_event', totals.controls, readControlEventPage);
    await fold('decision', totals.decisions, readDecisionEventPage);
    return { events, skipped: 0 };
  });
}

export async function replayFromKafka(
  db: ReadModelDb,
  subscriber: Subscriber,
  config: ProjectorConfig,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const pageSize = options.pageSize ?? 2_000;
  const progress = options.onProgress ?? (() => undefined);
  // Kafka is the source of truth: the rolled-up past goes too, the topic's events are all folded
  // again (a topic retention shorter than the history loses what it no longer holds).
  await inTransaction(db, async (tx) => {
    await truncateAllReadModels(tx, config.groupId);
    await forgetRolledUpPast(tx);
  });
  let events = 0;
  let skipped = 0;
  for (const topic of config.topics) {
    const pending = new Map<number, ConsumedRecord[]>();
    // Per partition a pipeline (its batches in offset order); the next batch is decoded while
    // the one before is written, and at most one more waits behind it.
    const pipelines = new Map<number, ProjectionPipeline>();
    let inFlight: { readonly written: Promise<RecordsProjection>; readonly size: number } | undefined;
    let done = 0;
    const settle = async (): Promise<void> => {
      if (!inFlight) return;
      const { outcome } = await inFlight.written;
      events += outcome.projected;
      skipped += outcome.deadLettered;
      done += inFlight.size;
      inFlight = undefined;
      progress({ source: topic, done });
    };
    const flush = async (partition: number): Promise<void> => {
      const records = pending.get(partition) ?? [];
      if (records.length === 0) return;
      pending.set(partition, []);
      const nextOffset = (BigInt(records[records.length - 1].offset) + 1n).toString();
      const pipeline = pipelines.get(partition) ?? new ProjectionPipeline(db);
      pipelines.set(partition, pipeline);
      const written = pipeline.submit(records, { groupId: config.groupId, topic, partition, nextOffset, highWatermark: nextOffset });
      await settle();
      inFlight = { written, size: records.length };
    };
    await subscriber.readToEnd(topic, async (record) => {
      const list = pending.get(record.partition) ?? [];
      list.push(record);
      pending.set(record.partition, list);
      if (list.length >= pageSize) await flush(record.partition);
    });
    for (const partition of [...pending.keys()]) await flush(partition);
    await settle();
  }
  return { events, skipped };
}

/** A one-line text progress bar for terminals and logs. */
export function progressLine(p: ReplayProgress, width = 30): string {
  if (p.total === undefined || p.total === 0) return `[replay] ${p.source}: ${p.done} events`;
  const ratio = Math.min(1, p.done / p.total);
  const filled = Math.round(ratio * width);
  return `[replay] ${p.source} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} (${Math.round(ratio * 100)}%)`;
}
