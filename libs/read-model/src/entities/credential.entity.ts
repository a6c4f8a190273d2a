import { EntitySchema } from 'typeorm';
import type { TableColumns } from './columns';

/** Token usage per credential fingerprint; never the secret itself. */
export interface CredentialEntity {
  readonly fingerprint: string;
  readonly type: string;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly publicId: string | null;
  readonly issuer: string | null;
  readonly expiresAt: Date | null;
  readonly firstUsed: Date;
  readonly lastUsed: Date;
  readonly lastEventId: string;
  /** Allowed presentations. */
  readonly useCount: number;
  /** Denied presentations. */
  readonly failureCount: number;
  readonly distinctSourceIps: number;
  /** An unlifted revocation names this fingerprint (its `expiresAt` is the reader's to check). */
  readonly revoked: boolean;
}

export const CREDENTIAL_COLUMNS = {
  fingerprint: { type: 'text', primary: true },
  type: { type: 'text' },
  strategy: { type: 'text', nullable: true },
  username: { type: 'text', nullable: true },
  publicId: { type: 'text', name: 'public_id', nullable: true },
  issuer: { type: 'text', nullable: true },
  expiresAt: { type: 'timestamptz', name: 'expires_at', nullable: true },
  firstUsed: { type: 'timestamptz', name: 'first_used' },
  lastUsed: { type: 'timestamptz', name: 'last_used' },
  lastEventId: { type: 'uuid', name: 'last_event_id' },
  useCount: { type: 'bigint', name: 'use_count', default: 0 },
  failureCount: { type: 'bigint', name: 'failure_count', default: 0 },
  distinctSourceIps: { type: 'integer', name: 'distinct_source_ips', default: 0 },
  revoked: { type: 'boolean', default: false },
} as const satisfies TableColumns<CredentialEntity>;

export const credentialEntity = new EntitySchema<CredentialEntity>({
  name: 'Credential',
  tableName: 'credential',
  columns: CREDENTIAL_COLUMNS,
  indices: [
    { name: 'credential_username_idx', columns: ['username'] },
    { name: 'credential_last_used_idx', columns: ['lastUsed'] },
    { name: 'credential_public_id_idx', columns: ['publicId'] },
  ],
});

/** The set behind `credential.distinct_source_ips` (exact, and idempotent under replays). */
export interface CredentialSourceIpEntity {
  readonly fingerprint: string;
  readonly sourceIp: string;
}

export const CREDENTIAL_SOURCE_IP_COLUMNS = {
  fingerprint: { type: 'text', primary: true },
  sourceIp: { type: 'inet', name: 'source_ip', primary: true },
} as const satisfies TableColumns<CredentialSourceIpEntity>;

export const credentialSourceIpEntity = new EntitySchema<CredentialSourceIpEntity>({
  name: 'CredentialSourceIp',
  tableName: 'credential_source_ip',
  columns: CREDENTIAL_SOURCE_IP_COLUMNS,
});
