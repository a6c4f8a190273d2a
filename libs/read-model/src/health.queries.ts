import type { SqlRunner } from './data-source';
import type { ProjectorStatusEntity } from './entities/projector.entity';

/** One partition's lag and counters: the projector_status row as it is stored. */
export type PartitionHealth = ProjectorStatusEntity;

export interface ProducerHealth {
  readonly instance: string;
  readonly minSequence: string;
  readonly maxSequence: string;
  readonly received: string;
  /** Sequence numbers in [min, max] never received: lost (or not yet projected) events. */
  readonly missing: string;
  readonly lastSeen: Date;
}

export interface ProjectorHealth {
  readonly partitions: readonly PartitionHealth[];
  readonly producers: readonly ProducerHealth[];
}

/** What `auditHealth` shows: lag per partition and per-producer sequence gaps. */
export async function readProjectorHealth(db: SqlRunner): Promise<ProjectorHealth> {
  const partitions = await db.query<PartitionHealth[]>(
    `SELECT group_id AS "groupId", topic, partition, next_offset::text AS "nextOffset",
            high_watermark::text AS "highWatermark", lag::text AS lag, last_event_time AS "lastEventTime",
            events_projected::text AS "eventsProjected", duplicates_skipped::text AS "duplicatesSkipped",
            dead_lettered::text AS "deadLettered", last_error AS "lastError", last_error_at AS "lastErrorAt",
            updated_at AS "updatedAt"
       FROM projector_status ORDER BY group_id, topic, partition`,
  );
  const producers = await db.query<ProducerHealth[]>(
    `SELECT instance, min_sequence::text AS "minSequence", max_sequence::text AS "maxSequence",
            received::text AS received,
            greatest(0, max_sequence - min_sequence + 1 - received)::text AS missing, last_seen AS "lastSeen"
       FROM producer_sequence ORDER BY instance`,
  );
  return { partitions, producers };
}
