import type { SqlRunner } from './data-source';
import type { PartitionPosition, PartitionStatusChange } from './projection.rows';
import { requireKey } from './require-key';

/** Stored checkpoints of `groupId` for the given partitions (absent ones are left out). */
export async function readCheckpoints(
  db: SqlRunner,
  groupId: string,
  partitions: readonly { readonly topic: string; readonly partition: number }[],
): Promise<readonly PartitionPosition[]> {
  requireKey('groupId', groupId);
  if (partitions.length === 0) return [];
  const rows = await db.query<{ topic: string; partition: number; next_offset: string }[]>(
    `SELECT c.topic, c.partition, c.next_offset::text AS next_offset
       FROM projector_checkpoint c
       JOIN json_to_recordset($2::json) AS x(topic text, partition integer)
         ON x.topic = c.topic AND x.partition = c.partition
      WHERE c.group_id = $1`,
    [groupId, JSON.stringify(partitions)],
  );
  return rows.map((r) => ({ groupId, topic: r.topic, partition: r.partition, nextOffset: r.next_offset }));
}

/**
 * Writes the checkpoint and the status of the partitions a batch covered. Call it in the same
 * transaction as the rows: then the checkpoint says exactly what the tables contain.
 */
export async function writeCheckpoints(db: SqlRunner, changes: readonly PartitionStatusChange[]): Promise<void> {
  if (changes.length === 0) return;
  for (const c of changes) requireKey('groupId', c.groupId);
  const rows = JSON.stringify(changes.map((c) => ({ ...c, lastErrorMessage: c.lastError?.message.slice(0, 500) ?? null, lastErrorAt: c.lastError?.at ?? null })));
  await db.query(
    `INSERT INTO projector_checkpoint AS t (group_id, topic, partition, next_offset, updated_at)
     SELECT x."groupId", x.topic, x.partition, x."nextOffset", now()
       FROM json_to_recordset($1::json) AS x("groupId" text, topic text, partition integer, "nextOffset" bigint)
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = now()`,
    [rows],
  );
  await db.query(
    `INSERT INTO projector_status AS t (group_id, topic, partition, next_offset, high_watermark, lag, last_event_time,
                                        events_projected, duplicates_skipped, dead_lettered, last_error, last_error_at, updated_at)
     SELECT x."groupId", x.topic, x.partition, x."nextOffset", x."highWatermark",
            greatest(0, x."highWatermark" - x."nextOffset"), x."lastEventTime", x."eventsProjected",
            x."duplicatesSkipped", x."deadLettered", x."lastErrorMessage", x."lastErrorAt", now()
       FROM json_to_recordset($1::json) AS x("groupId" text, topic text, partition integer, "nextOffset" bigint,
            "highWatermark" bigint, "lastEventTime" timestamptz, "eventsProjected" bigint, "duplicatesSkipped" bigint,
            "deadLettered" bigint, "lastErrorMessage" text, "lastErrorAt" timestamptz)
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET
       next_offset = excluded.next_offset,
       high_watermark = greatest(t.high_watermark, excluded.high_watermark),
       lag = greatest(0, greatest(t.high_watermark, excluded.high_watermark) - excluded.next_offset),
       last_event_time = greatest(t.last_event_time, excluded.last_event_time),
       events_projected = t.events_projected + excluded.events_projected,
       duplicates_skipped = t.duplicates_skipped + excluded.duplicates_skipped,
       dead_lettered = t.dead_lettered + excluded.dead_lettered,
       last_error = coalesce(excluded.last_error, t.last_error),
       last_error_at = coalesce(excluded.last_error_at, t.last_error_at),
       updated_at = now()`,
    [rows],
  );
}

/** Records the last projection error of a partition (outside the failed transaction). */
export async function recordProjectorError(
  db: SqlRunner,
  at: { readonly groupId: string; readonly topic: string; readonly partition: number },
  message: string,
): Promise<void> {
  requireKey('groupId', at.groupId);
  await db.query(
    `INSERT INTO projector_status AS t (group_id, topic, partition, last_error, last_error_at, updated_at)
     VALUES ($1, $2, $3, $4, now(), now())
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET last_error = excluded.last_error,
       last_error_at = excluded.last_error_at, updated_at = now()`,
    [at.groupId, at.topic, at.partition, message.slice(0, 500)],
  );
}
