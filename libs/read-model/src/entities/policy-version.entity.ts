import { EntitySchema } from 'typeorm';

export interface PolicyVersionEntity {
  readonly version: number;
  readonly document: string;
  readonly appliedBy: string | null;
  readonly comment: string | null;
  readonly appliedAt: Date;
  readonly eventId: string;
}

export const policyVersionEntity = new EntitySchema<PolicyVersionEntity>({
  name: 'PolicyVersion',
  tableName: 'policy_version',
  columns: {
    version: { type: 'integer', primary: true },
    document: { type: 'text' },
    appliedBy: { type: 'text', name: 'applied_by', nullable: true },
    comment: { type: 'text', nullable: true },
    appliedAt: { type: 'timestamptz', name: 'applied_at' },
    eventId: { type: 'uuid', name: 'event_id' },
  },
});
