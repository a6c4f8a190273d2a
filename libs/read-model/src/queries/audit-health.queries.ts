// Completeness and freshness of the audit trail, from the projector's status tables.
import type { ProducerSequenceEntity } from '../entities/projector.entity';
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

/**
 * One producer boot (instance, boot). For a boot (events that carry `boot`, sequences starting
 * at 1): `lastSequence` = greatest(maxSequence, the boot's reported lastSequence), `missing` =
 * lastSequence − received (floor 0): every number the boot handed out and the read model never
 * got, including a tail lost in a crash that a `lost` status reported. For events without a boot
 * (`boot` null, older producers): lastSequence = maxSequence, missing = max − min + 1 − received.
 */
export interface ProducerSequenceView
  extends Pick<ProducerSequenceEntity, 'instance' | 'minSequence' | 'maxSequence' | 'received' | 'dropped' | 'state' | 'stateAt' | 'firstSeen' | 'lastSeen'> {
  /** Null for events without a boot (stored as ''). */
  readonly boot: string | null;
  readonly lastSequence: number;
  readonly missing: number;
}

export interface AuditHealthTotals {
  /** Σ producers' `missing`: decision events a producer handed out that the read model lacks. */
  readonly sequenceGaps: number;
  /** Σ producers' `dropped`: decision events producers dropped themselves (buffer and spool full). */
  readonly droppedEvents: number;
  /** Σ partitions' `deadLettered`. */
  readonly deadLettered: number;
}

export interface AuditHealthView {
  readonly partitions: readonly PartitionStatusView[];
  /** Ordered by instance, then first seen. */
  readonly producers: readonly ProducerSequenceView[];
  readonly totals: AuditHealthTotals;
  /** Newest decision time in the read model. */
  readonly lastDecisionTime: Date | null;
}

/** The per-boot gap rule of ProducerSequenceView, in SQL (shared with readProjectorHealth). */
export const PRODUCER_SEQUENCE_SELECT = `
  WITH p AS (
    SELECT *, CASE WHEN boot = '' THEN coalesce(max_sequence, 0)
                   ELSE greatest(coalesce(max_sequence, 0), coalesce(reported_last_sequence, 0)) END AS last_sequence
      FROM producer_sequence)
  SELECT instance, nullif(boot, '') AS boot, min_sequence::float8 AS "minSequence", max_sequence::float8 AS "maxSequence",
         last_sequence::float8 AS "lastSequence", received::float8 AS received,
         (CASE WHEN boot = '' THEN greatest(0, coalesce(max_sequence - min_sequence + 1 - received, 0))
               ELSE greatest(0, last_sequence - received) END)::float8 AS missing,
         dropped::float8 AS dropped, state, state_at AS "stateAt", first_seen AS "firstSeen", last_seen AS "lastSeen"
    FROM p ORDER BY instance, first_seen, boot`;

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
    selectRows<ProducerSequenceView>(db, PRODUCER_SEQUENCE_SELECT, []),
    // max(time) walks the (time, id) primary key backwards: one index probe.
    selectRows<{ t: Date | null }>(db, `SELECT max(time) AS t FROM decision`, []),
  ]);
  const sum = <T>(rows: readonly T[], value: (row: T) => number): number => rows.reduce((n, row) => n + value(row), 0);
  return {
    partitions,
    producers,
    totals: {
      sequenceGaps: sum(producers, (p) => p.missing),
      droppedEvents: sum(producers, (p) => p.dropped),
      deadLettered: sum(partitions, (p) => p.deadLettered),
    },
    lastDecisionTime: last[0]?.t ?? null,
  };
}
