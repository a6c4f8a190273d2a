import { EntitySchema } from 'typeorm';

/** One row per decision event: typed columns for the GraphQL filters, the whole event in `payload`. */
export interface DecisionEntity {
  readonly id: string;
  readonly time: Date;
  readonly decision: 'allow' | 'deny';
  readonly httpStatus: number;
  readonly reason: string;
  readonly strategy: string | null;
  /** The authenticated username, else the claimed one (then `claimed` is true). */
  readonly username: string | null;
  readonly claimed: boolean;
  readonly groups: readonly string[];
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly endpoint: string | null;
  readonly credentialFingerprint: string | null;
  readonly credentialType: string | null;
  readonly policyVersion: number | null;
  readonly instance: string | null;
  readonly sequence: string | null;
  readonly payload: unknown;
}

export const decisionEntity = new EntitySchema<DecisionEntity>({
  name: 'Decision',
  tableName: 'decision',
  columns: {
    time: { type: 'timestamptz', primary: true },
    id: { type: 'uuid', primary: true },
    decision: { type: 'text' },
    httpStatus: { type: 'smallint', name: 'http_status' },
    reason: { type: 'text' },
    strategy: { type: 'text', nullable: true },
    username: { type: 'text', nullable: true },
    claimed: { type: 'boolean', default: false },
    groups: { type: 'text', array: true, default: () => "'{}'" },
    sourceIp: { type: 'inet', name: 'source_ip', nullable: true },
    userAgent: { type: 'text', name: 'user_agent', nullable: true },
    endpoint: { type: 'text', nullable: true },
    credentialFingerprint: { type: 'text', name: 'credential_fingerprint', nullable: true },
    credentialType: { type: 'text', name: 'credential_type', nullable: true },
    policyVersion: { type: 'integer', name: 'policy_version', nullable: true },
    instance: { type: 'text', nullable: true },
    sequence: { type: 'bigint', nullable: true },
    // json, not jsonb: appended often, read whole (migration StoreDecisionPayloadAsJson).
    payload: { type: 'json' },
  },
  checks: [{ name: 'decision_decision_check', expression: "decision IN ('allow', 'deny')" }],
  indices: [
    { name: 'decision_id_idx', columns: ['id'] },
    { name: 'decision_username_time_idx', columns: ['username', 'time'] },
    { name: 'decision_source_ip_time_idx', columns: ['sourceIp', 'time'] },
    { name: 'decision_credential_fingerprint_time_idx', columns: ['credentialFingerprint', 'time'] },
    { name: 'decision_denied_time_idx', columns: ['time'], where: "decision = 'deny'" },
  ],
});
