import { EntitySchema } from 'typeorm';
import type { TableColumns } from './columns';

export interface PolicyVersionEntity {
  readonly version: number;
  readonly document: string;
  readonly appliedBy: string | null;
  readonly comment: string | null;
  readonly appliedAt: Date;
  readonly eventId: string;
}

export const POLICY_VERSION_COLUMNS = {
  version: { type: 'integer', primary: true },
  document: { type: 'text' },
  appliedBy: { type: 'text', name: 'applied_by', nullable: true },
  comment: { type: 'text', nullable: true },
  appliedAt: { type: 'timestamptz', name: 'applied_at' },
  eventId: { type: 'uuid', name: 'event_id' },
} as const satisfies TableColumns<PolicyVersionEntity>;

export const policyVersionEntity = new EntitySchema<PolicyVersionEntity>({
  name: 'PolicyVersion',
  tableName: 'policy_version',
  columns: POLICY_VERSION_COLUMNS,
});
