// One batch of one partition → one PostgreSQL transaction: append the events (the primary key
// drops duplicates), evolve the read models from the events that were new, write the checkpoint.
// All or nothing; the caller commits the Kafka offset only after this resolves. The commit is
// asynchronous (no WAL flush wait): if PostgreSQL crashes and loses the last transactions, it
// loses their checkpoints with them, and the partition resumes from the older checkpoint (the
// Postgres checkpoint, not the Kafka offset, decides where a partition resumes).
import type { AuthtrailEvent, ControlEvent, DecisionEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import {
  applyReadModelChanges,
  inTransaction,
  insertControlEvents,
  insertDecisions,
  writeCheckpoints,
  type ReadModelDb,
} from '@authtrail/read-model';
import { decodeRecord, type PoisonReason } from './decode-record';
import { CONTROL_EVENT_TYPES_SET, isDecisionEvent } from './event-kinds';
import { canonicalTime, toControlEventRow, toDecisionRow } from './event.rows';
import { evolve } from './read-model.projection';

export interface PoisonRecord {
  readonly record: ConsumedRecord;
  readonly reason: PoisonReason;
  readonly detail: string;
}

export interface DecodedBatch {
  /** Distinct events (first occurrence of each id). */
  readonly events: readonly AuthtrailEvent[];
  readonly poison: readonly PoisonRecord[];
  /** Records whose event id already occurred earlier in the batch. */
  readonly repeatedInBatch: number;
}

export function decodeBatch(records: readonly ConsumedRecord[]): DecodedBatch {
  const events: AuthtrailEvent[] = [];
  const poison: PoisonRecord[] = [];
  const seen = new Set<string>();
  let repeatedInBatch = 0;
  for (const record of records) {
    const decoded = decodeRecord(record);
    if (!decoded.ok) {
      poison.push({ record, reason: decoded.reason, detail: decoded.detail });
      continue;
    }
    const id = decoded.event.id.toLowerCase();
    if (seen.has(id)) {
      repeatedInBatch += 1;
      continue;
    }
    seen.add(id);
    events.push(decoded.event);
  }
  return { events, poison, repeatedInBatch };
}

export interface BatchPosition {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** Offset after the batch's last record. */
  readonly nextOffset: string;
  readonly highWatermark: string;
  readonly lastError?: { readonly message: string; readonly at: string };
}

export interface BatchOutcome {
  readonly projected: number;
  readonly duplicates: number;
  readonly deadLettered: number;
}

/** Appends events and merges the new ones, without a checkpoint (replay from Kafka uses it too). */
export async function projectEvents(
  db: ReadModelDb,
  batch: DecodedBatch,
  position: BatchPosition | undefined,
): Promise<BatchOutcome> {
  const decisions = batch.events.filter(isDecisionEvent) as DecisionEvent[];
  const controls = batch.events.filter((e) => CONTROL_EVENT_TYPES_SET.has(e.type)) as ControlEvent[];
  return inTransaction(db, async (tx) => {
    const newDecisions = await insertDecisions(tx, decisions.map(toDecisionRow));
    const newControls = await insertControlEvents(tx, controls.map(toControlEventRow));
    const fresh = batch.events.filter((e) => newDecisions.has(e.id.toLowerCase()) || newControls.has(e.id.toLowerCase()));
    await applyReadModelChanges(tx, evolve(fresh));
    const outcome = { projected: fresh.length, duplicates: batch.events.length - fresh.length + batch.repeatedInBatch, deadLettered: batch.poison.length };
    if (position) {
      const lastEventTime = batch.events.reduce<string | null>((max, e) => {
        const t = canonicalTime(e.time);
        return max === null || t > max ? t : max;
      }, null);
      await writeCheckpoints(tx, [
        {
          ...position,
          lastEventTime,
          eventsProjected: outcome.projected,
          duplicatesSkipped: outcome.duplicates,
          deadLettered: outcome.deadLettered,
        },
      ]);
    }
    return outcome;
  }, { asyncCommit: true });
}
