// The rule that keeps the aggregates through retention (docs/read-models.md "Partitions and
// retention"): identity, credential (+ source IPs), failure_bucket and producer_sequence
// = rollup ⊕ fold(retained decision events), where the rollup is the fold of every retired
// partition's events and ⊕ is the projector's own merge (sums, min/max, latest by (time, id),
// set unions: commutative, so the order of folding does not matter). A replay from the database
// starts from the rollup instead of from empty.
import type { AuthtrailEvent } from '@authtrail/events';
import { applyReadModelChanges, pendingRetirements, readRetiringPage, seedDerivedFromRollup, type SqlRunner } from '@authtrail/read-model';
import { evolve } from '../read-model.projection';

/**
 * In a replay's transaction, after the derived tables were emptied: the rolled-up past, plus the
 * events of a retirement still in progress that the rollup does not hold yet (detached, so the
 * `decision` table no longer has them either).
 */
export async function restoreRetiredPast(tx: SqlRunner, pageSize = 5_000): Promise<number> {
  await seedDerivedFromRollup(tx);
  let events = 0;
  for (const pending of await pendingRetirements(tx)) {
    let cursor = pending.cursor;
    for (;;) {
      const page = await readRetiringPage(tx, pending.name, cursor, pageSize);
      if (page.last === null) break;
      await applyReadModelChanges(tx, evolve(page.events as AuthtrailEvent[]));
      events += page.events.length;
      cursor = page.last;
      if (page.events.length < pageSize) break;
    }
  }
  return events;
}
