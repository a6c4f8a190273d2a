// One batch of one partition → one PostgreSQL transaction: append the events (the primary key
// drops duplicates), evolve the read models from the events that were new, write the
// checkpoint. All or nothing; the caller commits the Kafka offset only after this resolves. The
// commit is asynchronous (no WAL flush wait): if PostgreSQL crashes and loses the last
// transactions, it loses their checkpoints with them, and the partition resumes from the older
// checkpoint (the Postgres checkpoint, not the Kafka offset, decides where a partition resumes):
// a batch first checks that the stored checkpoint is the one it continues.
import type { ConsumedRecord } from '@authtrail/event-bus';
import {
  applyReadModelChanges,
  inTransaction,
  insertControlEvents,
  insertDecisionCopy,
  insertIntegrityLinks,
  readCheckpoints,
  writeCheckpoints,
  type SqlRunner,
  type ReadModelDb,
} from '@authtrail/read-model';
import type { PoisonRecord } from './batch.decoder';
import { foldNewDecisions, prepareBatch, type DecodedBatch, type PreparedBatch } from './batch.prepare';
import { toControlEventRow } from './event.rows';
import { notifyDecisionsProjected } from './notify/decisions-projected.notification';
import { startEvolution, type ReadModelEvolution } from './read-model.projection';

export type { PoisonRecord } from './batch.decoder';

export interface BatchPosition {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** Offset after the batch's last record. */
  readonly nextOffset: string;
  readonly highWatermark: string;
  readonly lastError?: { readonly message: string; readonly at: string };
  /**
   * The stored checkpoint this batch continues (`next_offset`; '0' when none is stored). If the
   * database holds another one, the batch is refused with CheckpointMovedError and nothing is
   * written: the database lost commits it had acknowledged (a crash with `synchronous_commit =
   * off`), or another projector moved on. Absent: no check (replay, benchmark).
   */
  readonly continuesCheckpoint?: string;
}

/** The stored checkpoint is not the one the batch continues; resume from the stored one. */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
  constructor(
    readonly at: { readonly topic: string; readonly partition: number },
    readonly stored: string,
    readonly expected: string,
  ) {
    super(`the stored checkpoint of ${at.topic}/${at.partition} is ${stored}, the batch continues ${expected}: resuming from the stored checkpoint`);
  }
}

export interface BatchOutcome {
  readonly projected: number;
  readonly duplicates: number;
  readonly deadLettered: number;
}

export interface ProjectRecordsOptions {
  /**
   * Called with the batch's poison records (only when there are some) once all records are
   * decoded, inside the transaction and before the checkpoint is written: the projector makes
   * them durable in the dead-letter topic there, so the checkpoint never moves past a record
   * that is neither projected nor dead-lettered. May run again if the transaction is retried.
   */
  readonly onPoison?: (poison: readonly PoisonRecord[]) => Promise<void>;
  /** Records decoded before their decisions are sent to Postgres; default 250 (at most 24 slices a batch). */
  readonly sliceSize?: number;
}

export interface RecordsProjection {
  readonly outcome: BatchOutcome;
  readonly poison: readonly PoisonRecord[];
}

const DEFAULT_SLICE_SIZE = 250;
const MAX_SLICES = 24;

/**
 * Each slice is a savepoint (two subtransactions when it meets a duplicate, see
 * insertDecisions); PostgreSQL tracks up to 64 per transaction cheaply (past that, every other
 * session's snapshots slow down), so a huge batch gets bigger slices rather than more of them.
 */
export function sliceSizeFor(records: number, sliceSize = DEFAULT_SLICE_SIZE): number {
  return Math.max(sliceSize, Math.ceil(records / MAX_SLICES));
}

/**
 * Decodes and projects one batch of records in one transaction (what the projector, the
 * Kafka replay and the benchmark run). Decoding overlaps the database work: records are decoded
 * in slices, and each slice's decisions are COPYed while the next slice is decoded
 * (Postgres is another process, so on two cores the two really run at once). Order inside the
 * partition is kept: slices are written one after the other on the transaction's connection.
 * ProjectionPipeline also overlaps a batch's decoding with the write of the batch before it.
 */
export async function projectRecords(
  db: ReadModelDb,
  records: readonly ConsumedRecord[],
  position: BatchPosition | undefined,
  options: ProjectRecordsOptions = {},
): Promise<RecordsProjection> {
  return writePreparedBatch(db, prepareBatch(records, sliceSizeFor(records.length, options.sliceSize)), position, options);
}

/**
 * The database half: one transaction that appends each slice as soon as it is decoded, hands
 * over the poison, merges the read models and writes the checkpoint.
 */
export async function writePreparedBatch(
  db: ReadModelDb,
  prepared: PreparedBatch,
  position: BatchPosition | undefined,
  options: ProjectRecordsOptions = {},
): Promise<RecordsProjection> {
  return inTransaction(db, async (tx) => {
    if (position?.continuesCheckpoint !== undefined) await requireCheckpoint(tx, position, position.continuesCheckpoint);
    const appended: ReadonlySet<string>[] = [];
    let allNew = true;
    for (const slice of prepared.slices) {
      const copy = await slice;
      if (copy === null) continue;
      const fresh = await insertDecisionCopy(tx, copy);
      if (fresh.size < copy.ids.length) allNew = false;
      appended.push(fresh);
    }
    const decoded = await prepared.decoded;
    if (decoded.poison.length > 0) await options.onPoison?.(decoded.poison);
    // The usual batch is all new, and its changes were folded while decoding; a redelivery
    // folds again, only what the primary key let in.
    const newDecisions = foldedFor(prepared, decoded, allNew, appended);
    // Live subscribers hear of the new decisions at COMMIT, never before the rows are visible.
    await notifyDecisionsProjected(tx, appended.flatMap((ids) => [...ids]), decoded.lastEventTime);
    return { outcome: await completeBatch(tx, newDecisions.evolution, newDecisions.count, decoded, position), poison: decoded.poison };
  }, { asyncCommit: true });
}

function foldedFor(
  prepared: PreparedBatch,
  decoded: DecodedBatch,
  allNew: boolean,
  appended: readonly ReadonlySet<string>[],
): { evolution: ReadModelEvolution; count: number } {
  const count = appended.reduce((n, ids) => n + ids.size, 0);
  if (allNew) return { evolution: decoded.evolution, count };
  // A batch delivered again whole (the usual redelivery) has no new decision: nothing to fold.
  if (count === 0) return { evolution: startEvolution(), count };
  return foldNewDecisions(prepared.records, (id) => appended.some((ids) => ids.has(id)));
}

/**
 * One indexed read per batch. It closes the gap the error path cannot see: a crash while no batch
 * was in flight (the pool just reconnects) must not let the next batch write its checkpoint past
 * commits the crash lost.
 */
async function requireCheckpoint(tx: SqlRunner, at: BatchPosition, expected: string): Promise<void> {
  const [stored] = await readCheckpoints(tx, at.groupId, [{ topic: at.topic, partition: at.partition }]);
  const storedOffset = stored?.nextOffset ?? '0';
  if (BigInt(storedOffset) !== BigInt(expected)) throw new CheckpointMovedError(at, storedOffset, expected);
}

/** Control events, the read-model merge and the checkpoint: the rest of the batch's transaction. */
async function completeBatch(
  tx: SqlRunner,
  evolution: ReadModelEvolution,
  newDecisions: number,
  decoded: DecodedBatch,
  position: BatchPosition | undefined,
): Promise<BatchOutcome> {
  const newControlIds = await insertControlEvents(tx, decoded.controls.map(toControlEventRow));
  await insertIntegrityLinks(tx, decoded.links);
  const freshControls = decoded.controls.filter((e) => newControlIds.has(e.id.toLowerCase()));
  evolution.add(freshControls);
  await applyReadModelChanges(tx, evolution.changes());
  const projected = newDecisions + freshControls.length;
  const outcome = { projected, duplicates: decoded.distinct - projected + decoded.repeatedInBatch, deadLettered: decoded.poison.length };
  if (position) {
    await writeCheckpoints(tx, [
      {
        ...position,
        lastEventTime: decoded.lastEventTime,
        eventsProjected: outcome.projected,
        duplicatesSkipped: outcome.duplicates,
        deadLettered: outcome.deadLettered,
      },
    ]);
  }
  return outcome;
}
