import { EntitySchema } from 'typeorm';
import type { TableColumns } from './columns';

/** Next offset to read per (group, topic, partition), written in the projection's transaction. */
export interface ProjectorCheckpointEntity {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: string;
  readonly updatedAt: Date;
}

export const projectorCheckpointEntity = new EntitySchema<ProjectorCheckpointEntity>({
  name: 'ProjectorCheckpoint',
  tableName: 'projector_checkpoint',
  columns: {
    groupId: { type: 'text', name: 'group_id', primary: true },
    topic: { type: 'text', primary: true },
    partition: { type: 'integer', primary: true },
    nextOffset: { type: 'bigint', name: 'next_offset' },
    updatedAt: { type: 'timestamptz', name: 'updated_at' },
  },
});

/** What `auditHealth` reads: lag and counters per partition. */
export interface ProjectorStatusEntity {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: string;
  readonly highWatermark: string;
  readonly lag: string;
  readonly lastEventTime: Date | null;
  readonly eventsProjected: string;
  readonly duplicatesSkipped: string;
  readonly deadLettered: string;
  readonly lastError: string | null;
  readonly lastErrorAt: Date | null;
  readonly updatedAt: Date;
}

export const projectorStatusEntity = new EntitySchema<ProjectorStatusEntity>({
  name: 'ProjectorStatus',
  tableName: 'projector_status',
  columns: {
    groupId: { type: 'text', name: 'group_id', primary: true },
    topic: { type: 'text', primary: true },
    partition: { type: 'integer', primary: true },
    nextOffset: { type: 'bigint', name: 'next_offset', default: 0 },
    highWatermark: { type: 'bigint', name: 'high_watermark', default: 0 },
    lag: { type: 'bigint', default: 0 },
    lastEventTime: { type: 'timestamptz', name: 'last_event_time', nullable: true },
    eventsProjected: { type: 'bigint', name: 'events_projected', default: 0 },
    duplicatesSkipped: { type: 'bigint', name: 'duplicates_skipped', default: 0 },
    deadLettered: { type: 'bigint', name: 'dead_lettered', default: 0 },
    lastError: { type: 'text', name: 'last_error', nullable: true },
    lastErrorAt: { type: 'timestamptz', name: 'last_error_at', nullable: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at' },
  },
});

export type ProducerState = 'running' | 'stopped' | 'lost';

/**
 * Per producer boot (instance, boot): the sequence numbers received and what the boot reported
 * about itself. `boot` is '' for events without one (older producers). See audit-health.queries
 * for how `missing` is computed from it.
 */
export interface ProducerSequenceEntity {
  readonly instance: string;
  readonly boot: string;
  /** Null while only status events of the boot were seen. */
  readonly minSequence: number | null;
  readonly maxSequence: number | null;
  /** Distinct decision events received. */
  readonly received: number;
  /** The greatest `lastSequence` of the boot's status events. */
  readonly reportedLastSequence: number | null;
  /** The greatest drop count the boot reported (decision events' `dropped`, status `dropped`). */
  readonly dropped: number;
  /** State of the newest status event by (time, id). */
  readonly state: ProducerState | null;
  readonly stateAt: Date | null;
  readonly stateEventId: string | null;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
}

export const PRODUCER_SEQUENCE_COLUMNS = {
  instance: { type: 'text', primary: true },
  boot: { type: 'text', primary: true },
  minSequence: { type: 'bigint', name: 'min_sequence', nullable: true },
  maxSequence: { type: 'bigint', name: 'max_sequence', nullable: true },
  received: { type: 'bigint' },
  reportedLastSequence: { type: 'bigint', name: 'reported_last_sequence', nullable: true },
  dropped: { type: 'bigint', default: 0 },
  state: { type: 'text', nullable: true },
  stateAt: { type: 'timestamptz', name: 'state_at', nullable: true },
  stateEventId: { type: 'uuid', name: 'state_event_id', nullable: true },
  firstSeen: { type: 'timestamptz', name: 'first_seen' },
  lastSeen: { type: 'timestamptz', name: 'last_seen' },
} as const satisfies TableColumns<ProducerSequenceEntity>;

export const producerSequenceEntity = new EntitySchema<ProducerSequenceEntity>({
  name: 'ProducerSequence',
  tableName: 'producer_sequence',
  columns: PRODUCER_SEQUENCE_COLUMNS,
});
