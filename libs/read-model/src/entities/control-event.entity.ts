import { EntitySchema } from 'typeorm';

/** Append-only copy of every control event, so `replay` can rebuild policy and revocations from Postgres. */
export interface ControlEventEntity {
  readonly id: string;
  readonly time: Date;
  readonly type: string;
  readonly payload: unknown;
}

export const controlEventEntity = new EntitySchema<ControlEventEntity>({
  name: 'ControlEvent',
  tableName: 'control_event',
  columns: {
    id: { type: 'uuid', primary: true },
    time: { type: 'timestamptz' },
    type: { type: 'text' },
    payload: { type: 'jsonb' },
  },
  indices: [{ name: 'control_event_time_idx', columns: ['time'] }],
});
