// The seam for libs/policy (DESIGN §7, a later issue): called between the chain and the answer.
// It may turn an allow into a deny (e.g. 403 policy_denied, 429 throttled with Retry-After) and
// adds its effects to the event. Until the policy issue lands, the no-op hook allows everything.
import type { DecisionEndpoint, PolicyEffect, ReasonCode } from '@authtrail/events';
import type { AuthOutcome, RequestView } from '@authtrail/strategies';

export interface PolicyInput {
  readonly endpoint: DecisionEndpoint;
  readonly request: RequestView;
  readonly outcome: AuthOutcome;
  /** The strategy that decided, if any. */
  readonly strategy?: string;
  /** HMAC fingerprint of the credential (for revocation and throttling keys). */
  readonly credentialFingerprint?: string;
}

export interface PolicyDenial {
  readonly reason: ReasonCode;
  readonly message: string;
  /** Default 403 for an authenticated user, 401 otherwise. */
  readonly httpStatus?: number;
  readonly retryAfterSeconds?: number;
}

export interface PolicyVerdict {
  /** Policy version that decided; absent before any policy was applied. */
  readonly version?: number;
  readonly effects: readonly PolicyEffect[];
  readonly deny?: PolicyDenial;
}

export interface PolicyHook {
  evaluate(input: PolicyInput): PolicyVerdict | Promise<PolicyVerdict>;
  /** False until control state (policy versions, revocations) has been loaded: drives /readyz. */
  ready?(): boolean;
}

export const noopPolicyHook: PolicyHook = {
  evaluate: () => ({ effects: [] }),
  ready: () => true,
};
