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
}

export const CONTROL_EVENT_COLUMNS = {
  id: { type: 'uuid', primary: true },
  time: { type: 'timestamptz' },
  type: { type: 'text' },
  payload: { type: 'jsonb' },
} as const satisfies TableColumns<ControlEventEntity>;

export const controlEventEntity = new EntitySchema<ControlEventEntity>({
  name: 'ControlEvent',
  tableName: 'control_event',
  columns: CONTROL_EVENT_COLUMNS,
  indices: [{ name: 'control_event_time_idx', columns: ['time'] }],
});
