// The seam for policy (DESIGN §7): called between the chain and the answer. It may turn an allow
// into a deny (401 policy_denied / credential_revoked, 429 throttled with Retry-After) and adds
// its effects to the event. src/policy/policy-control.ts implements it from the control topic;
// the no-op hook (no subscriber, e.g. unit tests) allows everything.
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
