// Migration PartitionDecisionsByTime, up and down, over a `decision` table filled the production
// way (events projected by projectRecords into the plain table, then moved): every row, column
// and index survives both directions, each row lands in its month's partition.
import { openReadModel, revertMigrations, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase } from '@authtrail/testing';
import { Client } from 'pg';
import { decisionsOf, eventsOnDays, projectEvents } from './testdata/partition-events';

const MIGRATION_TIMESTAMP = 1798934400000;

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Reverts this migration and every one applied after it. */
async function revertPartitioning(url: string): Promise<void> {
  const [row] = await query<{ n: string }>(url, `SELECT count(*)::text AS n FROM read_model_migrations WHERE timestamp >= $1`, [MIGRATION_TIMESTAMP]);
  expect(Number(row.n)).toBeGreaterThanOrEqual(1);
  await revertMigrations(url, Number(row.n));
}

/** Everything about `decision` a reader or writer could notice, as comparable values. */
async function tableShape(url: string) {
  const [kind] = await query<{ relkind: string }>(url, `SELECT relkind::text FROM pg_class WHERE oid = 'decision'::regclass`);
  const columns = await query<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
    url,
    `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'decision' ORDER BY ordinal_position`,
  );
  const indexes = await query<{ definition: string }>(
    url,
    `SELECT replace(pg_get_indexdef(indexrelid), ' ON ONLY ', ' ON ') AS definition FROM pg_index WHERE indrelid = 'decision'::regclass ORDER BY 1`,
  );
  const constraints = await query<{ conname: string; def: string }>(url, `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'decision'::regclass ORDER BY conname`);
  const [rows] = await query<{ n: string; digest: string }>(url, `SELECT count(*)::text AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY time, id), '')) AS digest FROM decision t`);
  return { kind: kind.relkind, columns, indexes: indexes.map((i) => i.definition), constraints, rows };
}

describe('migration PartitionDecisionsByTime', () => {
  let url: string;
  let db: ReadModelDb;
  // Three past months and the current one: the migration makes one partition per month it finds.
  const days = ['2026-08-30', '2026-09-14', '2026-10-02', '2026-10-31'];
  const events = eventsOnDays(days, 150, 700);

  beforeAll(async () => {
    url = await createTestDatabase('partition_migration');
    await runMigrations(url);
    await revertPartitioning(url);
    db = await openReadModel(url);
    // The plain table, filled through the projector as before the migration.
    await projectEvents(db, events);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('up moves every row of the plain table into monthly partitions, keeping every column, constraint and index; down moves them back', async () => {
    const plain = await tableShape(url);
    expect(plain.kind).toBe('r');
    expect(Number(plain.rows.n)).toBe(decisionsOf(events).length);

    await runMigrations(url);
    const partitioned = await tableShape(url);
    expect(partitioned.kind).toBe('p');
    expect(partitioned.columns).toEqual(plain.columns);
    // Every index of the plain table, by name and definition (later migrations may add more).
    expect(partitioned.indexes).toEqual(expect.arrayContaining(plain.indexes));
    expect(partitioned.constraints).toEqual(plain.constraints);
    expect(partitioned.rows).toEqual(plain.rows);

    // Each stored row sits in the partition of its UTC month; nothing went to the default one.
    const placed = await query<{ partition: string; month: string; n: string }>(
      url,
      `SELECT tableoid::regclass::text AS partition, to_char(date_trunc('month', time, 'UTC') AT TIME ZONE 'UTC', 'YYYYMMDD') AS month, count(*)::text AS n FROM decision GROUP BY 1, 2 ORDER BY 2`,
    );
    const expectedMonths = [...new Set(decisionsOf(events).map((e) => e.time.slice(0, 7).replace('-', '') + '01'))].sort();
    expect(placed.map((p) => p.month)).toEqual(expectedMonths);
    for (const p of placed) expect(p.partition).toMatch(new RegExp(`^decision_${p.month}_[0-9]{8}$`));
    expect(placed.reduce((sum, p) => sum + Number(p.n), 0)).toBe(decisionsOf(events).length);
    const [defaults] = await query<{ n: string }>(url, `SELECT count(*)::text AS n FROM decision_default`);
    expect(defaults.n).toBe('0');

    await revertPartitioning(url);
    const back = await tableShape(url);
    expect(back.kind).toBe('r');
    expect(back.columns).toEqual(plain.columns);
    expect(back.constraints).toEqual(plain.constraints);
    expect(back.rows).toEqual(plain.rows);
    // The plain table's own indexes, by name and definition (later migrations' are reverted with them).
    expect(back.indexes).toEqual(plain.indexes);
    const leftovers = await query<{ relname: string }>(url, `SELECT relname FROM pg_class WHERE relname LIKE 'decision\\_2%' OR relname IN ('decision_default', 'decision_retirement')`);
    expect(leftovers).toEqual([]);
    const [schema] = await query<{ n: string }>(url, `SELECT count(*)::text AS n FROM pg_namespace WHERE nspname = 'decision_rollup'`);
    expect(schema.n).toBe('0');
  });

  it('after up again the projector appends to the partitioned table, and a duplicate is still refused by the key', async () => {
    await runMigrations(url);
    const before = await tableShape(url);
    const later = eventsOnDays(['2026-09-20'], 40, 900);
    await projectEvents(db, later);
    // Delivered again: the primary key (time, id) still deduplicates across partitions.
    await projectEvents(db, later);
    const after = await tableShape(url);
    expect(Number(after.rows.n)).toBe(Number(before.rows.n) + decisionsOf(later).length);
    const [inSeptember] = await query<{ n: string }>(url, `SELECT count(*)::text AS n FROM decision_20260901_20261001 WHERE time >= '2026-09-20' AND time < '2026-09-21'`);
    expect(Number(inSeptember.n)).toBe(decisionsOf(later).length);
  });
});
