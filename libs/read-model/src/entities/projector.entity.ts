import { EntitySchema } from 'typeorm';

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

/** Per-producer sequence range; gaps = max - min + 1 - received (see health.queries). */
export interface ProducerSequenceEntity {
  readonly instance: string;
  readonly minSequence: string;
  readonly maxSequence: string;
  readonly received: string;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
}

export const producerSequenceEntity = new EntitySchema<ProducerSequenceEntity>({
  name: 'ProducerSequence',
  tableName: 'producer_sequence',
  columns: {
    instance: { type: 'text', primary: true },
    minSequence: { type: 'bigint', name: 'min_sequence' },
    maxSequence: { type: 'bigint', name: 'max_sequence' },
    received: { type: 'bigint' },
    firstSeen: { type: 'timestamptz', name: 'first_seen' },
    lastSeen: { type: 'timestamptz', name: 'last_seen' },
  },
});
