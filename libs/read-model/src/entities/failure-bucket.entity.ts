import { EntitySchema } from 'typeorm';
import type { TableColumns } from './columns';

/**
 * Denied decisions counted per minute × (source IP, reason, strategy, username, credential,
 * username hash). `username` is the authenticated or clear claimed name, `usernameHash` the
 * keyed hash of the claimed or typed name (a typed name that matches no account has only this).
 */
export interface FailureBucketEntity {
  /** JSON array of the seven dimensions (FAILURE_BUCKET_DIMENSIONS order): the bucket's identity. */
  readonly bucketKey: string;
  readonly minute: Date;
  readonly sourceIp: string | null;
  readonly reason: string;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly credentialFingerprint: string | null;
  readonly usernameHash: string | null;
  readonly count: number;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
}

/** The dimensions in bucket-key order; a new one is appended (keys of older buckets stay valid). */
export const FAILURE_BUCKET_DIMENSIONS = ['minute', 'sourceIp', 'reason', 'strategy', 'username', 'credentialFingerprint', 'usernameHash'] as const;

export const FAILURE_BUCKET_COLUMNS = {
  bucketKey: { type: 'text', name: 'bucket_key', primary: true },
  minute: { type: 'timestamptz' },
  sourceIp: { type: 'inet', name: 'source_ip', nullable: true },
  reason: { type: 'text' },
  strategy: { type: 'text', nullable: true },
  username: { type: 'text', nullable: true },
  credentialFingerprint: { type: 'text', name: 'credential_fingerprint', nullable: true },
  usernameHash: { type: 'text', name: 'username_hash', nullable: true },
  count: { type: 'bigint' },
  firstSeen: { type: 'timestamptz', name: 'first_seen' },
  lastSeen: { type: 'timestamptz', name: 'last_seen' },
} as const satisfies TableColumns<FailureBucketEntity>;

export const failureBucketEntity = new EntitySchema<FailureBucketEntity>({
  name: 'FailureBucket',
  tableName: 'failure_bucket',
  columns: FAILURE_BUCKET_COLUMNS,
  indices: [{ name: 'failure_bucket_minute_idx', columns: ['minute'] }],
});
