import type { DecisionEvent } from '@authtrail/events';
import { EntitySchema } from 'typeorm';
import type { TableColumns, Written } from './columns';

/**
 * One row per decision event: typed columns for the GraphQL filters, the whole CloudEvent in
 * `payload` (readers take `payload.data` for the fields nobody filters on). The table is
 * partitioned by range of `time` (migration PartitionDecisionsByTime); the key `(time, id)`
 * holds in every partition, so deduplication is unchanged.
 */
export interface DecisionEntity {
  readonly id: string;
  readonly time: Date;
  readonly decision: 'allow' | 'deny';
  readonly httpStatus: number;
  readonly reason: string;
  readonly strategy: string | null;
  /** The authenticated username, else the clear claimed one (then `claimed` is true). */
  readonly username: string | null;
  readonly claimed: boolean;
  /** `data.claimedUsernameHash`: the keyed hash of a claimed or typed name (never the name). */
  readonly claimedUsernameHash: string | null;
  readonly groups: readonly string[];
  /** A valid IPv4/IPv6 literal or null (the raw value stays in the payload). */
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly endpoint: string | null;
  /**
   * `data.request.caller.certificate.subject`: who called (kube-apiserver's client certificate on a
   * TokenReview), never who was authenticated; the rest of the caller stays in the payload.
   */
  readonly callerSubject: string | null;
  readonly credentialFingerprint: string | null;
  readonly credentialType: string | null;
  readonly policyVersion: number | null;
  readonly instance: string | null;
  /** `data.boot`: the producer process start the sequence belongs to. */
  readonly boot: string | null;
  readonly sequence: number | null;
  /** The whole CloudEvent as it was decoded (not only its data). */
  readonly payload: DecisionEvent;
}

/** What the projector appends (times as RFC 3339 strings). */
export type DecisionRow = Written<DecisionEntity>;

export const DECISION_COLUMNS = {
  id: { type: 'uuid', primary: true },
  time: { type: 'timestamptz', primary: true },
  decision: { type: 'text' },
  httpStatus: { type: 'smallint', name: 'http_status' },
  reason: { type: 'text' },
  strategy: { type: 'text', nullable: true },
  username: { type: 'text', nullable: true },
  claimed: { type: 'boolean', default: false },
  claimedUsernameHash: { type: 'text', name: 'claimed_username_hash', nullable: true },
  groups: { type: 'text', array: true, default: () => "'{}'" },
  sourceIp: { type: 'inet', name: 'source_ip', nullable: true },
  userAgent: { type: 'text', name: 'user_agent', nullable: true },
  endpoint: { type: 'text', nullable: true },
  // No index: a cluster has a handful of webhook callers, so the column is a filter to combine
  // with a time range, not a look-up key (migration AddDecisionCaller).
  callerSubject: { type: 'text', name: 'caller_subject', nullable: true },
  credentialFingerprint: { type: 'text', name: 'credential_fingerprint', nullable: true },
  credentialType: { type: 'text', name: 'credential_type', nullable: true },
  policyVersion: { type: 'integer', name: 'policy_version', nullable: true },
  instance: { type: 'text', nullable: true },
  boot: { type: 'text', nullable: true },
  sequence: { type: 'bigint', nullable: true },
  // json, not jsonb: appended often, read whole (migration StoreDecisionPayloadAsJson).
  payload: { type: 'json' },
} as const satisfies TableColumns<DecisionEntity>;

export const decisionEntity = new EntitySchema<DecisionEntity>({
  name: 'Decision',
  tableName: 'decision',
  columns: DECISION_COLUMNS,
  checks: [{ name: 'decision_decision_check', expression: "decision IN ('allow', 'deny')" }],
  indices: [
    { name: 'decision_id_idx', columns: ['id'] },
    { name: 'decision_username_time_idx', columns: ['username', 'time'] },
    { name: 'decision_source_ip_time_idx', columns: ['sourceIp', 'time'] },
    { name: 'decision_credential_fingerprint_time_idx', columns: ['credentialFingerprint', 'time'] },
    { name: 'decision_claimed_username_hash_time_idx', columns: ['claimedUsernameHash', 'time'] },
    { name: 'decision_denied_time_idx', columns: ['time'], where: "decision = 'deny'" },
    { name: 'decision_denied_reason_time_idx', columns: ['reason', 'time'], where: "decision = 'deny'" },
  ],
});
