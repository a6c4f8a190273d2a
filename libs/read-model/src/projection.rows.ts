// What the projector hands to the write side: rows to append and per-key changes to merge.
// Every change is aggregated per key by the caller (one row per key per call) and merges
// commutatively (sums, min/max, latest-by-(time, id)), so batches can arrive in any order
// and a rebuild gives the same tables. Times are RFC 3339 strings with millisecond precision.

export interface DecisionRow {
  readonly id: string;
  readonly time: string;
  readonly decision: 'allow' | 'deny';
  readonly httpStatus: number;
  readonly reason: string;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly claimed: boolean;
  readonly groups: readonly string[];
  /** A valid IPv4/IPv6 literal or null (the raw value stays in the payload). */
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly endpoint: string | null;
  readonly credentialFingerprint: string | null;
  readonly credentialType: string | null;
  readonly policyVersion: number | null;
  readonly instance: string | null;
  readonly sequence: number | null;
  readonly payload: unknown;
}

export interface ControlEventRow {
  readonly id: string;
  readonly time: string;
  readonly type: string;
  readonly payload: unknown;
}

export interface IdentityChange {
  readonly username: string;
  readonly uid: string | null;
  readonly kind: string;
  readonly groups: readonly string[];
  readonly strategies: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Id of the newest event: with lastSeen it decides which "latest" fields win. */
  readonly lastEventId: string;
  readonly successCount: number;
  readonly failureCount: number;
  readonly lastSourceIp: string | null;
}

export interface CredentialChange {
  readonly fingerprint: string;
  readonly type: string;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly publicId: string | null;
  readonly issuer: string | null;
  readonly expiresAt: string | null;
  readonly firstUsed: string;
  readonly lastUsed: string;
  readonly lastEventId: string;
  readonly useCount: number;
  readonly failureCount: number;
  /** Every source IP seen with it in this change; the write side counts the new ones. */
  readonly sourceIps: readonly string[];
}

export interface FailureBucketChange {
  /** Start of the minute. */
  readonly minute: string;
  readonly sourceIp: string | null;
  readonly reason: string;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly credentialFingerprint: string | null;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface PolicyVersionRow {
  readonly version: number;
  readonly document: string;
  readonly appliedBy: string | null;
  readonly comment: string | null;
  readonly appliedAt: string;
  readonly eventId: string;
}

export interface RevocationRevoked {
  readonly revocationId: string;
  readonly fingerprint: string | null;
  readonly jti: string | null;
  readonly certSerial: string | null;
  readonly certIssuer: string | null;
  readonly reason: string | null;
  readonly revokedBy: string | null;
  readonly revokedAt: string;
  readonly expiresAt: string | null;
}

export interface RevocationLifted {
  readonly revocationId: string;
  readonly liftedAt: string;
  readonly liftedBy: string | null;
  readonly liftReason: string | null;
}

export interface ProducerSequenceChange {
  readonly instance: string;
  readonly minSequence: number;
  readonly maxSequence: number;
  /** Distinct events (the caller deduplicated them). */
  readonly received: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface ReadModelChanges {
  readonly identities: readonly IdentityChange[];
  readonly credentials: readonly CredentialChange[];
  readonly failureBuckets: readonly FailureBucketChange[];
  readonly policyVersions: readonly PolicyVersionRow[];
  readonly revocationsRevoked: readonly RevocationRevoked[];
  readonly revocationsLifted: readonly RevocationLifted[];
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
