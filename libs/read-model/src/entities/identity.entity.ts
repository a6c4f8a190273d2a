import { EntitySchema } from 'typeorm';
import type { TableColumns } from './columns';

export type IdentityKind = 'user' | 'service_account' | 'bootstrap' | 'anonymous';

/** Per username. "Latest" fields (uid, groups, kind, last source IP) come from the newest event by (time, id). */
export interface IdentityEntity {
  readonly username: string;
  readonly uid: string | null;
  readonly kind: IdentityKind;
  readonly groups: readonly string[];
  readonly strategies: readonly string[];
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  /** Id of the newest event: with lastSeen it decides which "latest" fields win. */
  readonly lastEventId: string;
  readonly successCount: number;
  readonly failureCount: number;
  readonly lastSourceIp: string | null;
}

export const IDENTITY_COLUMNS = {
  username: { type: 'text', primary: true },
  uid: { type: 'text', nullable: true },
  kind: { type: 'text' },
  groups: { type: 'text', array: true, default: () => "'{}'" },
  strategies: { type: 'text', array: true, default: () => "'{}'" },
  firstSeen: { type: 'timestamptz', name: 'first_seen' },
  lastSeen: { type: 'timestamptz', name: 'last_seen' },
  lastEventId: { type: 'uuid', name: 'last_event_id' },
  successCount: { type: 'bigint', name: 'success_count', default: 0 },
  failureCount: { type: 'bigint', name: 'failure_count', default: 0 },
  lastSourceIp: { type: 'inet', name: 'last_source_ip', nullable: true },
} as const satisfies TableColumns<IdentityEntity>;

export const identityEntity = new EntitySchema<IdentityEntity>({
  name: 'Identity',
  tableName: 'identity',
  columns: IDENTITY_COLUMNS,
  indices: [
    { name: 'identity_last_seen_idx', columns: ['lastSeen'] },
    { name: 'identity_kind_idx', columns: ['kind'] },
  ],
});
