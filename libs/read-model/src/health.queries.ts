import type { SqlRunner } from './data-source';
import type { ProjectorStatusEntity } from './entities/projector.entity';
import { PRODUCER_SEQUENCE_SELECT, type ProducerSequenceView } from './queries/audit-health.queries';

/** One partition's lag and counters: the projector_status row as it is stored. */
export type PartitionHealth = ProjectorStatusEntity;

/** One producer boot, with the gap rule of `auditHealth` (queries/audit-health.queries.ts). */
export type ProducerHealth = ProducerSequenceView;

export interface ProjectorHealth {
  readonly partitions: readonly PartitionHealth[];
  readonly producers: readonly ProducerHealth[];
}

/** What `auditHealth` shows: lag per partition and per-boot sequence gaps. */
export async function readProjectorHealth(db: SqlRunner): Promise<ProjectorHealth> {
  const partitions = await db.query<PartitionHealth[]>(
    `SELECT group_id AS "groupId", topic, partition, next_offset::text AS "nextOffset",
            high_watermark::text AS "highWatermark", lag::text AS lag, last_event_time AS "lastEventTime",
            events_projected::text AS "eventsProjected", duplicates_skipped::text AS "duplicatesSkipped",
            dead_lettered::text AS "deadLettered", last_error AS "lastError", last_error_at AS "lastErrorAt",
            updated_at AS "updatedAt"
       FROM projector_status ORDER BY group_id, topic, partition`,
  );
  const producers = await db.query<ProducerHealth[]>(PRODUCER_SEQUENCE_SELECT);
  return { partitions, producers };
}
