// The seam for policy (DESIGN §7), asked twice per decision. `admit` runs before any strategy:
// a throttled source address or credential is refused there, so a blocked guesser costs no
// password hash and no signature check (issue #15 item 6). `evaluate` runs between the chain and
// the answer: it may turn an allow into a deny (401 policy_denied / credential_revoked) and adds
// its effects to the event. policy/policy-control.ts implements it from the control topic; the
// no-op hook (no subscriber, e.g. unit tests) allows everything.
import type { DecisionEndpoint, PolicyEffect, ReasonCode } from '@authtrail/events';
import type { AuthOutcome, RequestView } from '@authtrail/strategies';

export interface PolicyInput {
  readonly endpoint: DecisionEndpoint;
  readonly request: RequestView;
  readonly outcome: AuthOutcome;
  /** The strategy that decided, if any. */
  readonly strategy?: string;
  /** HMAC fingerprint of the credential (for revocations). */
  readonly credentialFingerprint?: string;
  /** The fingerprint under every configured key, writing key first (revocations made before a rotation). */
  readonly credentialFingerprints?: readonly string[];
  /** The per-credential throttle key of the presented credential (throttle-key.ts). */
  readonly throttleKey?: string;
}

/** What is known before any strategy ran: the request and the presented credential's throttle key. */
export interface AdmissionInput {
  readonly endpoint: DecisionEndpoint;
  readonly request: RequestView;
  readonly throttleKey?: string;
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
  /** Before the strategies: a verdict with `deny` refuses the request unseen; undefined lets it through. */
  admit?(input: AdmissionInput): PolicyVerdict | undefined;
  evaluate(input: PolicyInput): PolicyVerdict | Promise<PolicyVerdict>;
  /** False until control state (policy versions, revocations) has been loaded: drives /readyz. */
  ready?(): boolean;
  /** While not ready: what is missing and why, for /readyz's body; undefined once ready. */
  notReady?(): string | undefined;
}

export const noopPolicyHook: PolicyHook = {
  evaluate: () => ({ effects: [] }),
  ready: () => true,
};
