import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 20: `decision` becomes a declarative range-partitioned table on `time`, so retention
// detaches and drops whole partitions instead of deleting rows.
// - The new table is made `LIKE` the old one, so it keeps every column earlier migrations added,
//   in the same order, with their defaults, CHECK constraints, storage and compression; its
//   primary key and indexes are re-created from the old table's own definitions (same names),
//   on the parent, after the rows are in (PostgreSQL builds them once per partition).
// - Partitions: one per UTC month holding stored rows, plus the current and the next month (the
//   projector creates the rest ahead, daily or monthly by `readModels.partitioning`), and
//   `decision_default` for strays (an event whose period has no partition yet).
// - `decision_rollup`: a twin of each table folded from decision events (identity, credential,
//   credential_source_ip, failure_bucket, producer_sequence). Retiring a partition folds its
//   events into the twins, so the aggregates survive retention and a replay from the database
//   (twins + retained window) equals a full one. A later migration that changes one of those
//   tables changes its twin too (a spec checks they match).
// - `decision_retirement`: one row per retirement of a partition (range, events folded, fold cursor,
//   detached / dropped times): the resumable state of a retirement and its record.
//
// Moves every row (ACCESS EXCLUSIVE on `decision` for the duration): run it with the projector
// stopped on a large table. Reversible: `down` moves the rows back into one plain table with the
// same indexes; the rollup twins and the retirement record go (the derived tables keep their
// counts; a replay from the database after `down` no longer covers retired partitions).
export class PartitionDecisionsByTime1798934400000 implements MigrationInterface {
  readonly name = 'PartitionDecisionsByTime1798934400000';

  async up(q: QueryRunner): Promise<void> {
    const shape = await this.capture(q);
    await q.query(
      `CREATE TABLE decision_by_time (LIKE decision INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION) PARTITION BY RANGE (time)`,
    );
    const months: { from: string; to: string }[] = await q.query(`
      SELECT to_char(m, 'YYYY-MM-DD"T"00:00:00.000"Z"') AS "from", to_char(m + interval '1 month', 'YYYY-MM-DD"T"00:00:00.000"Z"') AS "to"
        FROM (SELECT DISTINCT date_trunc('month', time, 'UTC') AT TIME ZONE 'UTC' AS m FROM decision
              UNION SELECT date_trunc('month', now() AT TIME ZONE 'UTC')
              UNION SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') months
       ORDER BY m`);
    for (const { from, to } of months) {
      await q.query(`CREATE TABLE decision_${from.slice(0, 10).replace(/-/g, '')}_${to.slice(0, 10).replace(/-/g, '')} PARTITION OF decision_by_time FOR VALUES FROM ('${from}') TO ('${to}')`);
    }
    await q.query(`CREATE TABLE decision_default PARTITION OF decision_by_time DEFAULT`);
    await q.query(`INSERT INTO decision_by_time (${shape.columns}) SELECT ${shape.columns} FROM decision`);
    await q.query(`DROP TABLE decision`);
    await q.query(`ALTER TABLE decision_by_time RENAME TO decision`);
    await this.restoreKeys(q, shape);
    // New tables have no statistics until autovacuum gets to them: plan the first queries well.
    await q.query(`ANALYZE decision`);

    await q.query(`CREATE SCHEMA decision_rollup`);
    for (const table of ['identity', 'credential', 'credential_source_ip', 'failure_bucket', 'producer_sequence']) {
      await q.query(`CREATE TABLE decision_rollup.${table} (LIKE ${table} INCLUDING ALL)`);
    }
    await q.query(`
      CREATE TABLE decision_retirement (
        retirement_id bigserial CONSTRAINT decision_retirement_pkey PRIMARY KEY,
        -- A range retired again (late events that landed in the default partition) gets a new row.
        partition_name text NOT NULL,
        range_from timestamptz NOT NULL,
        range_to timestamptz NOT NULL,
        detached_at timestamptz NOT NULL,
        folded_events bigint NOT NULL DEFAULT 0,
        cursor_time timestamptz,
        cursor_id uuid,
        dropped_at timestamptz
      )`);
    // At most one retirement of a table in progress (a table name exists once).
    await q.query(`CREATE UNIQUE INDEX decision_retirement_pending_idx ON decision_retirement (partition_name) WHERE dropped_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Detached tables of a retirement in progress are not part of `decision` any more.
    const pending: { name: string }[] = await q.query(`SELECT partition_name AS name FROM decision_retirement WHERE dropped_at IS NULL`);
    for (const { name } of pending) await q.query(`DROP TABLE IF EXISTS "${name.replace(/"/g, '""')}"`);
    await q.query(`DROP TABLE decision_retirement`);
    await q.query(`DROP SCHEMA decision_rollup CASCADE`);

    const shape = await this.capture(q);
    await q.query(`CREATE TABLE decision_unpartitioned (LIKE decision INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)`);
    await q.query(`INSERT INTO decision_unpartitioned (${shape.columns}) SELECT ${shape.columns} FROM decision`);
    await q.query(`DROP TABLE decision`);
    await q.query(`ALTER TABLE decision_unpartitioned RENAME TO decision`);
    await this.restoreKeys(q, shape);
    await q.query(`ANALYZE decision`);
  }

  /** The current `decision`'s columns, primary key and index definitions (made again on the new table). */
  private async capture(q: QueryRunner): Promise<{ columns: string; primaryKey: { name: string; definition: string }; indexes: string[] }> {
    const [cols]: { columns: string }[] = await q.query(
      `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS columns FROM pg_attribute WHERE attrelid = 'decision'::regclass AND attnum > 0 AND NOT attisdropped`,
    );
    const [pk]: { name: string; definition: string }[] = await q.query(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = 'decision'::regclass AND contype = 'p'`,
    );
    const indexes: { definition: string }[] = await q.query(
      `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
        WHERE i.indrelid = 'decision'::regclass AND NOT i.indisprimary ORDER BY i.indexrelid`,
    );
    if (!cols?.columns || !pk) throw new Error('decision has no columns or no primary key: earlier migrations missing');
    // A partitioned table's index reads `ON ONLY decision`; on the plain table it is the same index.
    return { columns: cols.columns, primaryKey: pk, indexes: indexes.map((i) => i.definition.replace(' ON ONLY ', ' ON ')) };
  }

  /** The primary key and indexes, by their old names (the old table and its names are gone by now). */
  private async restoreKeys(q: QueryRunner, shape: { primaryKey: { name: string; definition: string }; indexes: string[] }): Promise<void> {
    await q.query(`ALTER TABLE decision ADD CONSTRAINT ${shape.primaryKey.name} ${shape.primaryKey.definition}`);
    for (const definition of shape.indexes) await q.query(definition);
  }
}
