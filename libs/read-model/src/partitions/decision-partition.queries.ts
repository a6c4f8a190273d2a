// SQL of the partitioned `decision` table (migration PartitionDecisionsByTime): list the
// partitions, create one (moving the strays its range takes from the DEFAULT partition), and
// retire one: detach it, fold its events into the rolled-up past (`decision_rollup`), drop it.
// Every statement that changes partitions runs under PARTITION_LOCK_KEY (one maintainer at a
// time, whichever projector instance runs it) and re-reads the catalog under that lock.
import type { SqlRunner } from '../data-source';
import { boundLiteral, partitionNameOf, type TimeRange } from './decision-periods';

/** Transaction-scoped advisory lock key of partition maintenance ("decpart"). */
export const PARTITION_LOCK_KEY = 0x64656370617274;

export const DEFAULT_DECISION_PARTITION = 'decision_default';

/** Where the aggregates' share of retired partitions lives: one twin per derived table. */
export const ROLLUP_SCHEMA = 'decision_rollup';

/** The tables folded from decision events; each has a twin in ROLLUP_SCHEMA (same columns). */
export const DECISION_DERIVED_TABLES = ['identity', 'credential', 'credential_source_ip', 'failure_bucket', 'producer_sequence'] as const;

export interface DecisionPartition extends TimeRange {
  readonly name: string;
}

export interface DecisionPartitionList {
  /** Range partitions, oldest first. */
  readonly ranges: readonly DecisionPartition[];
  readonly hasDefault: boolean;
}

/** Takes the maintenance lock for the rest of the transaction. */
export async function lockPartitionMaintenance(tx: SqlRunner): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
}

/** The partitions of `decision`, from the catalog (bounds read in UTC). */
export async function listDecisionPartitions(db: SqlRunner): Promise<DecisionPartitionList> {
  const rows = await db.query<{ name: string; is_default: boolean; from_ms: string | null; to_ms: string | null }[]>(
    `SELECT name, bound = 'DEFAULT' AS is_default,
            (extract(epoch FROM m[1]::timestamptz) * 1000)::bigint::text AS from_ms,
            (extract(epoch FROM m[2]::timestamptz) * 1000)::bigint::text AS to_ms
       FROM (SELECT c.relname AS name, b.bound, regexp_match(b.bound, $$^FOR VALUES FROM \\('([^']+)'\\) TO \\('([^']+)'\\)$$) AS m
               FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid
               CROSS JOIN LATERAL pg_get_expr(c.relpartbound, c.oid) AS b(bound)
              WHERE i.inhparent = 'decision'::regclass) p`,
  );
  const ranges = rows
    // MINVALUE / MAXVALUE bounds (made by hand) are left alone: neither extended nor retired.
    .filter((r) => !r.is_default && r.from_ms !== null && r.to_ms !== null)
    .map((r) => ({ name: r.name, from: Number(r.from_ms), to: Number(r.to_ms) }))
    .sort((a, b) => a.from - b.from);
  return { ranges, hasDefault: rows.some((r) => r.is_default) };
}

/** Column list of `decision` in table order, quoted (for moving rows between its tables). */
async function decisionColumns(tx: SqlRunner): Promise<string> {
  const [row] = await tx.query<{ columns: string }[]>(
    `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS columns
       FROM pg_attribute WHERE attrelid = 'decision'::regclass AND attnum > 0 AND NOT attisdropped`,
  );
  if (!row?.columns) throw new Error('decision has no columns: is the migration PartitionDecisionsByTime applied?');
  return row.columns;
}

/** Period starts (ms, UTC) of the rows in the DEFAULT partition: the strays to give a partition. */
export async function strayPeriodStarts(db: SqlRunner, unit: 'day' | 'month'): Promise<number[]> {
  const rows = await db.query<{ ms: string }[]>(
    `SELECT DISTINCT (extract(epoch FROM date_trunc($1, time, 'UTC')) * 1000)::bigint::text AS ms FROM ${DEFAULT_DECISION_PARTITION} ORDER BY 1`,
    [unit],
  );
  return rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
}

/**
 * Creates the partition for `range` (call under the maintenance lock, with the range known to be
 * uncovered). Rows the DEFAULT partition holds in that range are moved into it first: PostgreSQL
 * refuses a partition whose range the default partition still has rows in. Returns the rows moved.
 */
export async function createDecisionPartition(tx: SqlRunner, range: TimeRange): Promise<{ readonly name: string; readonly moved: number }> {
  const name = partitionNameOf(range);
  const from = boundLiteral(range.from);
  const to = boundLiteral(range.to);
  // Writers of `decision` first: a batch inserting meanwhile would route by the partitions it saw
  // when it started and put a row of the new range into the default partition, which then refuses
  // it ("violates partition constraint"). Batches lock the parent before any partition, and hold
  // nothing this transaction needs, so they wait here rather than deadlock.
  await tx.query('LOCK TABLE ONLY decision IN SHARE ROW EXCLUSIVE MODE');
  const [strays] = await tx.query<{ n: string }[]>(
    `SELECT count(*)::text AS n FROM ${DEFAULT_DECISION_PARTITION} WHERE time >= $1::timestamptz AND time < $2::timestamptz`,
    [from, to],
  );
  const moved = Number(strays?.n ?? 0);
  if (moved === 0) {
    await tx.query(`CREATE TABLE ${ident(name)} PARTITION OF decision FOR VALUES FROM ('${from}') TO ('${to}')`);
    return { name, moved };
  }
  // The strays' move is the only DELETE on decision, and only ever on the default partition.
  await tx.query(`LOCK TABLE ${DEFAULT_DECISION_PARTITION} IN SHARE ROW EXCLUSIVE MODE`);
  const columns = await decisionColumns(tx);
  await tx.query(`CREATE TABLE ${ident(name)} (LIKE decision INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)`);
  await tx.query(
    `INSERT INTO ${ident(name)} (${columns}) SELECT ${columns} FROM ${DEFAULT_DECISION_PARTITION} WHERE time >= $1::timestamptz AND time < $2::timestamptz`,
    [from, to],
  );
  const deleted = await tx.query<[unknown, number]>(`DELETE FROM ${DEFAULT_DECISION_PARTITION} WHERE time >= $1::timestamptz AND time < $2::timestamptz`, [from, to]);
  await tx.query(`ALTER TABLE decision ATTACH PARTITION ${ident(name)} FOR VALUES FROM ('${from}') TO ('${to}')`);
  // TypeORM answers a DELETE with [rows, count]; the count under the lock is the number moved.
  return { name, moved: Number(deleted[1] ?? moved) };
}

/** A partition being retired: detached, its events folded into the rollup up to `cursor`. */
export interface PendingRetirement extends DecisionPartition {
  readonly foldedEvents: number;
  readonly cursor: { readonly time: string; readonly id: string } | null;
}

/** A table name as an SQL identifier: names come from the catalog (a partition made by hand may have any name). */
function ident(name: string): string {
  if (name.length === 0 || name.includes('\0')) throw new RangeError(`not a table name: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Step 1 of retiring: detach the partition (no new event can land in it; one arriving late for
 * its range goes to the DEFAULT partition and is retired with the next round) and record it.
 */
export async function detachDecisionPartition(tx: SqlRunner, partition: DecisionPartition): Promise<void> {
  await tx.query(`ALTER TABLE decision DETACH PARTITION ${ident(partition.name)}`);
  await tx.query(
    `INSERT INTO decision_retirement (partition_name, range_from, range_to, detached_at)
     VALUES ($1, $2::timestamptz, $3::timestamptz, now())`,
    [partition.name, boundLiteral(partition.from), boundLiteral(partition.to)],
  );
}

/** Retirements detached but not yet dropped (a round interrupted, or the one in progress). */
export async function pendingRetirements(db: SqlRunner): Promise<PendingRetirement[]> {
  const rows = await db.query<{ name: string; from_ms: string; to_ms: string; folded: string; t: string | null; id: string | null }[]>(
    `SELECT partition_name AS name,
            (extract(epoch FROM range_from) * 1000)::bigint::text AS from_ms,
            (extract(epoch FROM range_to) * 1000)::bigint::text AS to_ms,
            folded_events::text AS folded,
            to_char(cursor_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t, cursor_id::text AS id
       FROM decision_retirement WHERE dropped_at IS NULL ORDER BY range_from, retirement_id`,
  );
  return rows.map((r) => ({
    name: r.name,
    from: Number(r.from_ms),
    to: Number(r.to_ms),
    foldedEvents: Number(r.folded),
    cursor: r.t !== null && r.id !== null ? { time: r.t, id: r.id } : null,
  }));
}

/** One page of the detached partition's stored events after `cursor`, in (time, id) order. */
export async function readRetiringPage(
  db: SqlRunner,
  name: string,
  cursor: PendingRetirement['cursor'],
  limit: number,
): Promise<{ readonly events: readonly unknown[]; readonly last: PendingRetirement['cursor'] }> {
  const rows = await db.query<{ t: string; id: string; payload: unknown }[]>(
    `SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t, id::text AS id, payload FROM ${ident(name)}
      WHERE $1::timestamptz IS NULL OR (time, id) > ($1::timestamptz, $2::uuid)
      ORDER BY time, id LIMIT $3`,
    [cursor?.time ?? null, cursor?.id ?? null, limit],
  );
  const last = rows.at(-1);
  return { events: rows.map((r) => r.payload), last: last ? { time: last.t, id: last.id } : null };
}

/**
 * For the rest of the transaction, the derived tables' names resolve to their rollup twins:
 * the projector's own merge (`applyReadModelChanges`) then folds into the rolled-up past.
 */
export async function foldIntoRollup(tx: SqlRunner): Promise<void> {
  const [row] = await tx.query<{ path: string }[]>(`SELECT current_setting('search_path') AS path`);
  await tx.query(`SELECT set_config('search_path', $1, true)`, [`${ROLLUP_SCHEMA}, ${row?.path ?? 'public'}`]);
}

/**
 * Step 2 (per page, in the page's transaction): moves the fold cursor from `from` to `to`. Fails
 * when the stored cursor is not `from` (another maintainer folded this page): the transaction,
 * and with it the page's fold into the rollup, is rolled back, so every event is folded once.
 */
export async function advanceRetirement(tx: SqlRunner, name: string, from: PendingRetirement['cursor'], to: NonNullable<PendingRetirement['cursor']>, events: number): Promise<void> {
  const rows = await tx.query<{ partition_name: string }[]>(
    // Wrapped in a SELECT: TypeORM hands back an UPDATE's RETURNING rows as [rows, count].
    `WITH moved AS (
       UPDATE decision_retirement SET cursor_time = $3::timestamptz, cursor_id = $4::uuid, folded_events = folded_events + $5
        WHERE partition_name = $1 AND dropped_at IS NULL AND cursor_id IS NOT DISTINCT FROM $2::uuid
        RETURNING partition_name)
     SELECT partition_name FROM moved`,
    [name, from?.id ?? null, to.time, to.id, events],
  );
  if (rows.length !== 1) throw new Error(`the retirement of ${name} moved on meanwhile: this page is folded elsewhere`);
}

/** Step 3: every event folded, the detached table is dropped; the record of it stays. */
export async function dropRetiredPartition(tx: SqlRunner, name: string): Promise<void> {
  await tx.query(`DROP TABLE IF EXISTS ${ident(name)}`);
  await tx.query(`UPDATE decision_retirement SET dropped_at = now() WHERE partition_name = $1 AND dropped_at IS NULL`, [name]);
}

/** Quoted column list of a table in the current schema (its twin has the same columns). */
async function tableColumns(db: SqlRunner, table: string): Promise<string[]> {
  const rows = await db.query<{ c: string }[]>(
    `SELECT quote_ident(column_name) AS c FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => r.c);
}

/**
 * Copies the rolled-up past into the (emptied) derived tables: the start of a replay from the
 * database. `credential.revoked` starts false: the replay's control fold sets it from `revocation`.
 */
export async function seedDerivedFromRollup(tx: SqlRunner): Promise<void> {
  for (const table of DECISION_DERIVED_TABLES) {
    const columns = await tableColumns(tx, table);
    const values = columns.map((c) => (table === 'credential' && c === 'revoked' ? 'false' : c));
    await tx.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM ${ROLLUP_SCHEMA}.${table}`);
  }
}

/**
 * Forgets the rolled-up past (a replay from Kafka rebuilds every table from what the topic
 * holds): empties the twins, drops detached tables not yet dropped, clears the retirement log.
 */
export async function forgetRolledUpPast(tx: SqlRunner): Promise<void> {
  for (const pending of await pendingRetirements(tx)) await tx.query(`DROP TABLE IF EXISTS ${ident(pending.name)}`);
  await tx.query(`TRUNCATE ${DECISION_DERIVED_TABLES.map((t) => `${ROLLUP_SCHEMA}.${t}`).join(', ')}`);
  await tx.query(`DELETE FROM decision_retirement`);
}
