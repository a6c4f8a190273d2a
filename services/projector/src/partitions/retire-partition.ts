// Retiring one partition past retention, resumable at every step:
// 1. detach it (one transaction with its record in `decision_retirement`);
// 2. fold its events, page by page, into the rollup twins of the derived tables with the
//    projector's own `evolve` + `applyReadModelChanges` (each page one transaction with the fold
//    cursor, compare-and-set: a page is folded once even if two maintainers race or one dies);
// 3. drop it.
// The live derived tables are never touched: they already hold these events. The rollup holds
// the same events' share again, for a replay from the database (retired-past.ts).
import type { AuthtrailEvent } from '@authtrail/events';
import {
  advanceRetirement,
  detachDecisionPartition,
  dropRetiredPartition,
  foldIntoRollup,
  inTransaction,
  lockPartitionMaintenance,
  readRetiringPage,
  applyReadModelChanges,
  type DecisionPartition,
  type PendingRetirement,
  type ReadModelDb,
} from '@authtrail/read-model';
import { evolve } from '../read-model.projection';

export async function detachForRetirement(db: ReadModelDb, partition: DecisionPartition): Promise<void> {
  await inTransaction(db, async (tx) => {
    await lockPartitionMaintenance(tx);
    await detachDecisionPartition(tx, partition);
  });
}

/** Steps 2 and 3 for a detached partition; returns the events folded by this call. */
export async function finishRetirement(db: ReadModelDb, pending: PendingRetirement, pageSize: number): Promise<number> {
  let cursor = pending.cursor;
  let folded = 0;
  for (;;) {
    const done = await inTransaction(db, async (tx) => {
      await lockPartitionMaintenance(tx);
      const page = await readRetiringPage(tx, pending.name, cursor, pageSize);
      if (page.last === null) return true;
      await foldIntoRollup(tx);
      // Stored payloads were validated when they were first projected (as in a replay).
      await applyReadModelChanges(tx, evolve(page.events as AuthtrailEvent[]));
      await advanceRetirement(tx, pending.name, cursor, page.last, page.events.length);
      cursor = page.last;
      folded += page.events.length;
      return page.events.length < pageSize;
    });
    if (done) break;
  }
  await inTransaction(db, async (tx) => {
    await lockPartitionMaintenance(tx);
    await dropRetiredPartition(tx, pending.name);
  });
  return folded;
}
