import { EntitySchema } from 'typeorm';

/** Denied decisions counted per minute × (source IP, reason, strategy, username, credential). */
export interface FailureBucketEntity {
  /** JSON array of the six dimensions below: the bucket's identity. */
  readonly bucketKey: string;
  readonly minute: Date;
  readonly sourceIp: string | null;
  readonly reason: string;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly credentialFingerprint: string | null;
  readonly count: string;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
}

export const failureBucketEntity = new EntitySchema<FailureBucketEntity>({
  name: 'FailureBucket',
  tableName: 'failure_bucket',
  columns: {
    bucketKey: { type: 'text', name: 'bucket_key', primary: true },
    minute: { type: 'timestamptz' },
    sourceIp: { type: 'inet', name: 'source_ip', nullable: true },
    reason: { type: 'text' },
    strategy: { type: 'text', nullable: true },
    username: { type: 'text', nullable: true },
    credentialFingerprint: { type: 'text', name: 'credential_fingerprint', nullable: true },
    count: { type: 'bigint' },
    firstSeen: { type: 'timestamptz', name: 'first_seen' },
    lastSeen: { type: 'timestamptz', name: 'last_seen' },
  },
  indices: [{ name: 'failure_bucket_minute_idx', columns: ['minute'] }],
});
