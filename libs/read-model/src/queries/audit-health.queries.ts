// Completeness and freshness of the audit trail, from the projector's status tables.
import { type QueryRunnerLike, selectRows } from './sql-runner';

export interface PartitionStatusView {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** bigint offsets stay decimal strings. */
  readonly nextOffset: string;
  readonly highWatermark: string;
  readonly lag: number;
  readonly lastEventTime: Date | null;
  readonly eventsProjected: number;
  readonly duplicatesSkipped: number;
  readonly deadLettered: number;
  readonly lastError: string | null;
  readonly lastErrorAt: Date | null;
  readonly updatedAt: Date;
}

export interface ProducerSequenceView {
  readonly instance: string;
  readonly minSequence: string;
  readonly maxSequence: string;
  readonly received: number;
  readonly missing: number;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
}

export interface AuditHealthView {
  readonly partitions: readonly PartitionStatusView[];
  readonly producers: readonly ProducerSequenceView[];
  /** Newest decision time in the read model. */
  readonly lastDecisionTime: Date | null;
}

export async function auditHealth(db: QueryRunnerLike): Promise<AuditHealthView> {
  const [partitions, producers, last] = await Promise.all([
    selectRows<PartitionStatusView>(
      db,
      `SELECT group_id AS "groupId", topic, partition, next_offset::text AS "nextOffset", high_watermark::text AS "highWatermark",
              lag::float8 AS lag, last_event_time AS "lastEventTime", events_projected::float8 AS "eventsProjected",
              duplicates_skipped::float8 AS "duplicatesSkipped", dead_lettered::float8 AS "deadLettered",
              last_error AS "lastError", last_error_at AS "lastErrorAt", updated_at AS "updatedAt"
       FROM projector_status ORDER BY group_id, topic, partition`,
      [],
    ),
    selectRows<ProducerSequenceView>(
      db,
      `SELECT instance, min_sequence::text AS "minSequence", max_sequence::text AS "maxSequence", received::float8 AS received,
              greatest(0, max_sequence - min_sequence + 1 - received)::float8 AS missing, first_seen AS "firstSeen", last_seen AS "lastSeen"
       FROM producer_sequence ORDER BY instance`,
      [],
    ),
    // max(time) walks the (time, id) primary key backwards: one index probe.
    selectRows<{ t: Date | null }>(db, `SELECT max(time) AS t FROM decision`, []),
  ]);
  return { partitions, producers, lastDecisionTime: last[0]?.t ?? null };
}
