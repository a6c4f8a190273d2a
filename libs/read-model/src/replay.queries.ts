import type { SqlRunner } from './data-source';
import { READ_MODEL_LOCK_KEY } from './projection.queries';

/** Tables derived from the events (rebuilt by replay from the `decision` / `control_event` tables). */
const DERIVED = ['identity', 'credential', 'credential_source_ip', 'failure_bucket', 'policy_version', 'revocation', 'producer_sequence'];

/** Empties the derived tables; the event tables and checkpoints stay. */
export async function truncateDerivedReadModels(db: SqlRunner): Promise<void> {
  // Waits for projector transactions in flight; new ones wait until this transaction ends.
  await db.query('SELECT pg_advisory_xact_lock($1)', [READ_MODEL_LOCK_KEY]);
  await db.query(`TRUNCATE ${DERIVED.join(', ')}`);
}

/** Empties everything the projector wrote for `groupId`, for a replay from Kafka. */
export async function truncateAllReadModels(db: SqlRunner, groupId: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [READ_MODEL_LOCK_KEY]);
  // The integrity tables go too: the links are written again as the records are, and the verifier starts over.
  await db.query(`TRUNCATE decision, control_event, integrity_link, integrity_chain, integrity_finding, ${DERIVED.join(', ')}`);
  await db.query(`DELETE FROM projector_checkpoint WHERE group_id = $1`, [groupId]);
  await db.query(`DELETE FROM projector_status WHERE group_id = $1`, [groupId]);
}

/** Where the next page starts; opaque to callers (the keyset position of the table read). */
export type StoredEventCursor = { readonly time: string; readonly id: string } | { readonly position: string };

export interface StoredEventPage {
  /** The stored CloudEvents, in the order a replay folds them. */
  readonly events: readonly unknown[];
  readonly next: StoredEventCursor | null;
}

/** One page of stored decision events after `after`, in (time, id) order (keyset pagination). */
export async function readDecisionEventPage(db: SqlRunner, after: StoredEventCursor | null, limit: number): Promise<StoredEventPage> {
  const from = after && 'time' in after ? after : null;
  const rows = await db.query<{ t: string; id: string; payload: unknown }[]>(
    `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t, id, payload FROM decision
      WHERE $1::timestamptz IS NULL OR (time, id) > ($1::timestamptz, $2::uuid)
      ORDER BY time, id LIMIT $3`,
    [from?.time ?? null, from?.id ?? null, limit],
  );
  const last = rows.at(-1);
  return { events: rows.map((r) => r.payload), next: rows.length < limit || !last ? null : { time: last.t, id: last.id } };
}

/**
 * One page of stored control events after `after`, in the order they were stored (`position`):
 * for the policy partition the topic order, which the compare-and-set rules are judged in.
 */
export async function readControlEventPage(db: SqlRunner, after: StoredEventCursor | null, limit: number): Promise<StoredEventPage> {
  const from = after && 'position' in after ? after.position : null;
  // The alias is not `position`: ORDER BY would take the text output column and sort "10" before "9".
  const rows = await db.query<{ at: string; payload: unknown }[]>(
    `SELECT position::text AS at, payload FROM control_event
      WHERE $1::bigint IS NULL OR position > $1::bigint
      ORDER BY control_event.position LIMIT $2`,
    [from, limit],
  );
  const last = rows.at(-1);
  return { events: rows.map((r) => r.payload), next: rows.length < limit || !last ? null : { position: last.at } };
}

/** Row counts of the event tables, for replay progress. */
export async function countStoredEvents(db: SqlRunner): Promise<{ readonly decisions: number; readonly controls: number }> {
  const [row] = await db.query<{ d: string; c: string }[]>(
    `SELECT (SELECT count(*) FROM decision) AS d, (SELECT count(*) FROM control_event) AS c`,
  );
  return { decisions: Number(row?.d ?? 0), controls: Number(row?.c ?? 0) };
}
