// Where PostgreSQL's time goes per projected event, statement by statement (pg_stat_statements,
// nested statements such as trigger bodies included): BENCH_STATEMENTS=1, embedded server only.
import { Client } from 'pg';
import type { ReadModelDb } from '@authtrail/read-model';

/** Loads pg_stat_statements at the next start of the server behind `url` (superuser). */
export async function loadStatementStatsAtNextStart(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await client.query(`ALTER SYSTEM SET pg_stat_statements.track = 'all'`);
  } finally {
    await client.end();
  }
}

export async function resetStatementStats(db: ReadModelDb): Promise<void> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.query('SELECT pg_stat_statements_reset()');
}

/** The statements that took the most execution time since the reset, in µs per event. */
export async function statementBreakdown(db: ReadModelDb, events: number, top = 10): Promise<string[]> {
  const rows = await db.query<{ nested: boolean; calls: string; micros: number; rows: string; query: string }[]>(
    `SELECT NOT toplevel AS nested, calls::text, total_exec_time * 1000 / $1 AS micros, rows::text, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
     FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT $2`,
    [events, top],
  );
  return rows.map((r) => `${r.micros.toFixed(1).padStart(6)} µs/event  ${r.calls.padStart(5)} calls ${r.rows.padStart(7)} rows${r.nested ? ' (nested)' : ''}  ${r.query}`);
}
