/** A policy version as the resolvers see it: the read-model row, or "none applied yet". */
export interface PolicyModel {
  readonly version: number;
  readonly document: string;
  readonly appliedBy: string | null;
  readonly comment: string | null;
  readonly appliedAt: Date | null;
}

export const NO_POLICY: PolicyModel = { version: 0, document: '', appliedBy: null, comment: null, appliedAt: null };
