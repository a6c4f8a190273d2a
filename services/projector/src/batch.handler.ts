// One batch of one partition → one PostgreSQL transaction: append the events (the primary key
// drops duplicates), evolve the read models from the events that were new, write the
// checkpoint. All or nothing; the caller commits the Kafka offset only after this resolves. The
// commit is asynchronous (no WAL flush wait): if PostgreSQL crashes and loses the last
// transactions, it loses their checkpoints with them, and the partition resumes from the older
// checkpoint (the Postgres checkpoint, not the Kafka offset, decides where a partition resumes):
// a batch first checks that the stored checkpoint is the one it continues.
import type { AuthtrailEvent, ControlEvent, DecisionEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import {
  applyReadModelChanges,
  inTransaction,
  insertControlEvents,
  insertDecisions,
  readCheckpoints,
  writeCheckpoints,
  type SqlRunner,
  type ReadModelDb,
} from '@authtrail/read-model';
import { BatchDecoder, type PoisonRecord } from './batch.decoder';
import { CONTROL_EVENT_TYPES_SET, isDecisionEvent } from './event-kinds';
import { canonicalTime, toControlEventRow, toDecisionRow } from './event.rows';
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
/** Records decoded between two turns of the event loop (so pg can send the next statement). */
const DECODE_BURST = 10;
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Decodes and projects one batch of records in one transaction (what the projector, the
 * Kafka replay and the benchmark run). Decoding overlaps the database work: records are decoded
 * in slices, and each slice's decisions are COPYed while the next slice is decoded
 * (Postgres is another process, so on two cores the two really run at once). Order inside the
 * partition is kept: slices are written one after the other on the transaction's connection.
 */
export async function projectRecords(
  db: ReadModelDb,
  records: readonly ConsumedRecord[],
  position: BatchPosition | undefined,
  options: ProjectRecordsOptions = {},
): Promise<RecordsProjection> {
  // Each slice is a savepoint (two subtransactions when it meets a duplicate, see
  // insertDecisions); PostgreSQL tracks up to 64 per transaction cheaply (past that, every other
  // session's snapshots slow down), so a huge batch gets bigger slices rather than more of them.
  const sliceSize = Math.max(options.sliceSize ?? DEFAULT_SLICE_SIZE, Math.ceil(records.length / MAX_SLICES));
  return inTransaction(db, async (tx) => {
    if (position?.continuesCheckpoint !== undefined) await requireCheckpoint(tx, position, position.continuesCheckpoint);
    const decoded = await decodeWhileInserting(tx, records, sliceSize);
    if (decoded.poison.length > 0) await options.onPoison?.(decoded.poison);
    return { outcome: await completeBatch(tx, decoded.appended, decoded, position), poison: decoded.poison };
  }, { asyncCommit: true });
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

/**
 * What the rest of the transaction needs from the batch's events once they are appended: the
 * evolution of the new decisions, the counts, the control events. The decoded decisions
 * themselves are not kept (fewer objects outlive a garbage-collector cycle).
 */
class AppendedEvents {
  readonly evolution: ReadModelEvolution = startEvolution();
  readonly controls: ControlEvent[] = [];
  distinct = 0;
  newDecisions = 0;
  lastEventTime: string | null = null;

  /** Notes distinct events; returns the decisions among them (to append). */
  note(events: readonly AuthtrailEvent[]): DecisionEvent[] {
    const decisions: DecisionEvent[] = [];
    for (const event of events) {
      const time = canonicalTime(event.time);
      if (this.lastEventTime === null || time > this.lastEventTime) this.lastEventTime = time;
      if (isDecisionEvent(event)) decisions.push(event);
      else if (CONTROL_EVENT_TYPES_SET.has(event.type)) this.controls.push(event as ControlEvent);
    }
    this.distinct += events.length;
    return decisions;
  }

  /** Folds the decisions the database reported new. */
  appended(decisions: readonly DecisionEvent[], newIds: ReadonlySet<string>): void {
    const fresh = decisions.filter((e) => newIds.has(e.id.toLowerCase()));
    this.evolution.add(fresh);
    this.newDecisions += fresh.length;
  }
}

/**
 * The pipeline: the loop decodes (CPU in Node) and appends each slice's write to a chain on the
 * connection; it yields to the event loop every few records so the chain's next statement is sent
 * without waiting for the whole batch to be decoded.
 */
async function decodeWhileInserting(
  tx: SqlRunner,
  records: readonly ConsumedRecord[],
  sliceSize: number,
): Promise<{ appended: AppendedEvents; poison: readonly PoisonRecord[]; repeatedInBatch: number }> {
  const decoder = new BatchDecoder();
  const appended = new AppendedEvents();
  let writes: Promise<void> = Promise.resolve();
  const sendSlice = (): void => {
    const decisions = appended.note(decoder.takeEvents());
    if (decisions.length === 0) return;
    const rows = decisions.map(toDecisionRow);
    writes = writes.then(async () => appended.appended(decisions, await insertDecisions(tx, rows)));
    // Observed here, awaited below: a failure surfaces after the loop, not as an unhandled rejection.
    writes.catch(() => undefined);
  };
  for (let i = 0; i < records.length; i += 1) {
    decoder.add(records[i]);
    if ((i + 1) % sliceSize === 0) sendSlice();
    if ((i + 1) % DECODE_BURST === 0) await yieldToIo();
  }
  sendSlice();
  await writes;
  return { appended, poison: decoder.poisonRecords, repeatedInBatch: decoder.repeatedInBatch };
}

/** Control events, the read-model merge and the checkpoint: the rest of the batch's transaction. */
async function completeBatch(
  tx: SqlRunner,
  appended: AppendedEvents,
  rejected: { readonly poison: readonly PoisonRecord[]; readonly repeatedInBatch: number },
  position: BatchPosition | undefined,
): Promise<BatchOutcome> {
  const newControlIds = await insertControlEvents(tx, appended.controls.map(toControlEventRow));
  const freshControls = appended.controls.filter((e) => newControlIds.has(e.id.toLowerCase()));
  appended.evolution.add(freshControls);
  await applyReadModelChanges(tx, appended.evolution.changes());
  const projected = appended.newDecisions + freshControls.length;
  const outcome = { projected, duplicates: appended.distinct - projected + rejected.repeatedInBatch, deadLettered: rejected.poison.length };
  if (position) {
    await writeCheckpoints(tx, [
      {
        ...position,
        lastEventTime: appended.lastEventTime,
        eventsProjected: outcome.projected,
        duplicatesSkipped: outcome.duplicates,
        deadLettered: outcome.deadLettered,
      },
    ]);
  }
  return outcome;
}
