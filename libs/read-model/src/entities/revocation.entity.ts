import { EntitySchema } from 'typeorm';
import type { TableColumns } from './columns';

/** One revocation, merged from its `revoked` and `lifted` control events (in either order). */
export interface RevocationEntity {
  readonly revocationId: string;
  readonly fingerprint: string | null;
  readonly jti: string | null;
  readonly certSerial: string | null;
  readonly certIssuer: string | null;
  readonly reason: string | null;
  readonly revokedBy: string | null;
  readonly revokedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly liftedAt: Date | null;
  readonly liftedBy: string | null;
  readonly liftReason: string | null;
  /** The lift that took effect: the first for this revocation in topic order. */
  readonly liftEventId: string | null;
}

export const REVOCATION_COLUMNS = {
  revocationId: { type: 'text', name: 'revocation_id', primary: true },
  fingerprint: { type: 'text', nullable: true },
  jti: { type: 'text', nullable: true },
  certSerial: { type: 'text', name: 'cert_serial', nullable: true },
  certIssuer: { type: 'text', name: 'cert_issuer', nullable: true },
  reason: { type: 'text', nullable: true },
  revokedBy: { type: 'text', name: 'revoked_by', nullable: true },
  revokedAt: { type: 'timestamptz', name: 'revoked_at', nullable: true },
  expiresAt: { type: 'timestamptz', name: 'expires_at', nullable: true },
  liftedAt: { type: 'timestamptz', name: 'lifted_at', nullable: true },
  liftedBy: { type: 'text', name: 'lifted_by', nullable: true },
  liftReason: { type: 'text', name: 'lift_reason', nullable: true },
  liftEventId: { type: 'uuid', name: 'lift_event_id', nullable: true },
} as const satisfies TableColumns<RevocationEntity>;

export const revocationEntity = new EntitySchema<RevocationEntity>({
  name: 'Revocation',
  tableName: 'revocation',
  columns: REVOCATION_COLUMNS,
  indices: [
    { name: 'revocation_fingerprint_idx', columns: ['fingerprint'] },
    { name: 'revocation_jti_idx', columns: ['jti'] },
  ],
});
