import type { ControlEvent } from '@authtrail/events';
import { EntitySchema } from 'typeorm';
import type { TableColumns } from './columns';

/** Append-only copy of every control event, so `replay` can rebuild policy and revocations from Postgres. */
export interface ControlEventEntity {
  readonly id: string;
  readonly time: Date;
  readonly type: string;
  /** The whole CloudEvent. */
  readonly payload: ControlEvent;
  /**
   * The order the projector stored it in (assigned by the database). For the policy partition
   * this is the topic order, which decides which claim of a version wins: replays follow it.
   */
  readonly position: number;
}

export const CONTROL_EVENT_COLUMNS = {
  id: { type: 'uuid', primary: true },
  time: { type: 'timestamptz' },
  type: { type: 'text' },
  payload: { type: 'jsonb' },
  position: { type: 'bigint', generated: 'increment' },
} as const satisfies TableColumns<ControlEventEntity>;

export const controlEventEntity = new EntitySchema<ControlEventEntity>({
  name: 'ControlEvent',
  tableName: 'control_event',
  columns: CONTROL_EVENT_COLUMNS,
  indices: [
    { name: 'control_event_time_idx', columns: ['time'] },
    { name: 'control_event_position_idx', columns: ['position'], unique: true },
  ],
});
