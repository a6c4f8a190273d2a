// What the projector hands to the write side: rows to append and per-key changes to merge.
// Every change is aggregated per key by the caller (one row per key per call) and merges
// commutatively (sums, min/max, latest-by-(time, id)), so batches can arrive in any order
// and a rebuild gives the same tables — except the compare-and-set control changes (policy
// claims, revocations and lifts), which are judged in topic order against the stored state:
// their events share a partition per key, so their order is defined. Times are RFC 3339 strings
// with millisecond precision.
//
// Each type is derived from its table's entity (entities/*.entity.ts, the one definition of the
// row): a column renamed or retyped there changes what the projector must build here.
import type {
  ControlEventEntity,
  CredentialEntity,
  FailureBucketEntity,
  IdentityEntity,
  PolicyVersionEntity,
  ProducerSequenceEntity,
  RevocationEntity,
  Written,
} from './entities';

/** `position` is assigned by the database when the row is stored. */
export type ControlEventRow = Omit<Written<ControlEventEntity>, 'position'>;

/** An identity's merge input; `successCount` / `failureCount` are what this change adds. */
export type IdentityChange = Written<IdentityEntity>;

/** A credential's merge input: counts are deltas; the write side derives `distinctSourceIps` and `revoked`. */
export type CredentialChange = Omit<Written<CredentialEntity>, 'distinctSourceIps' | 'revoked'> & {
  /** Every source IP seen with it in this change; the write side counts the new ones. */
  readonly sourceIps: readonly string[];
};

/** A failure bucket's merge input (`minute` = start of the minute); the write side derives `bucketKey`. */
export type FailureBucketChange = Omit<Written<FailureBucketEntity>, 'bucketKey'>;

export type PolicyVersionRow = Written<PolicyVersionEntity>;

/** The fields a `credential.revoked` event sets. */
export type RevocationRevoked = Written<
  Pick<RevocationEntity, 'revocationId' | 'fingerprint' | 'jti' | 'certSerial' | 'certIssuer' | 'reason' | 'revokedBy' | 'expiresAt'>
> & { readonly revokedAt: string };

/** The fields a `revocation.lifted` event sets. */
export type RevocationLifted = Written<Pick<RevocationEntity, 'revocationId' | 'liftedBy' | 'liftReason'>> & {
  readonly liftedAt: string;
  readonly liftEventId: string;
};

/**
 * A producer boot's merge input: min/max/dropped/reportedLastSequence merge by min/max,
 * `received` adds up (distinct events: the caller deduplicated them), `state` is the newest
 * status by (stateAt, stateEventId).
 */
export type ProducerSequenceChange = Written<ProducerSequenceEntity>;

export interface ReadModelChanges {
  readonly identities: readonly IdentityChange[];
  readonly credentials: readonly CredentialChange[];
  readonly failureBuckets: readonly FailureBucketChange[];
  /**
   * Policy-applied events whose document compiles, in topic order. The write side keeps each
   * that claims the stored version + 1 (`followsPolicyVersion`), in order; the others change nothing.
   */
  readonly policyClaims: readonly PolicyVersionRow[];
  /** The first revoked event per revocation id: stored unless the id exists already. */
  readonly revocationsRevoked: readonly RevocationRevoked[];
  /** The first lift per revocation id: applies iff the revocation was stored before this change, revoked and not lifted. */
  readonly revocationsLifted: readonly RevocationLifted[];
  /** The first lift after this change's own revoked event of the id: applies iff that event stored the revocation. */
  readonly revocationsLiftedAfterRevoked: readonly RevocationLifted[];
  readonly producerSequences: readonly ProducerSequenceChange[];
}

export interface PartitionPosition {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** Next offset to read, decimal string (64-bit). */
  readonly nextOffset: string;
}

export interface PartitionStatusChange extends PartitionPosition {
  readonly highWatermark: string;
  readonly lastEventTime: string | null;
  readonly eventsProjected: number;
  readonly duplicatesSkipped: number;
  readonly deadLettered: number;
  /** An error met since the last checkpoint (e.g. while Postgres was down), recorded now. */
  readonly lastError?: { readonly message: string; readonly at: string };
}
