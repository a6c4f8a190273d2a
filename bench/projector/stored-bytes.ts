// What the projector leaves in PostgreSQL per record it projects, table by table (heap, TOAST and
// indexes): the disk side of docs/capacity.md, measured on the production write path.
import type { ReadModelDb } from '@authtrail/read-model';

const TABLES = ['integrity_link', 'control_event', 'identity', 'credential', 'credential_source_ip', 'failure_bucket', 'failure_rollup'];

export async function storedBytesPerRecord(db: ReadModelDb, records: number): Promise<string> {
  const sizes = await db.query<{ name: string; bytes: number }[]>(
    `SELECT 'decision' AS name, sum(pg_total_relation_size(relid))::float8 AS bytes FROM pg_partition_tree('decision')
     UNION ALL
     SELECT relname, pg_total_relation_size(oid)::float8 FROM pg_class
     WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname = ANY($1::text[])`,
    [TABLES],
  );
  const total = sizes.reduce((n, s) => n + s.bytes, 0);
  const per = (bytes: number): string => (bytes / records).toFixed(0);
  return `${per(total)} bytes per record stored (${sizes.map((s) => `${s.name} ${per(s.bytes)}`).join(', ')})`;
}
