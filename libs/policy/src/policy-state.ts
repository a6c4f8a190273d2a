import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  followsPolicyVersion,
  POLICY_APPLIED_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  type PolicyControlEvent,
} from '@authtrail/events';
import { compilePolicy, EMPTY_POLICY } from './compile-policy';
import type { CompiledPolicy } from './policy-document';
import { RevocationSet } from './revocation-set';

export type ControlEventOutcome = { readonly applied: true } | { readonly applied: false; readonly error: string };

/**
 * The control state every authn instance folds from `authtrail.control.v1`: the current policy
 * and the revocations in force. Replayed from the beginning at start, then applied live.
 *
 * Events are compare-and-set, judged in topic order (the projector applies the same rules, so
 * authn and the read model agree on what is in force):
 * - a policy version applies iff it is the version in force + 1 (`followsPolicyVersion`) and its
 *   document compiles;
 * - a revocation id is revoked once (a second `revoked` event for it changes nothing);
 * - a lift applies iff its revocation is revoked and not yet lifted; a lifted revocation stays lifted.
 */
export class PolicyState {
  private current: CompiledPolicy = EMPTY_POLICY;
  readonly revocations = new RevocationSet();
  /** Every revocation id seen, revoked or lifted: lifts and repeated revocations are judged by it. */
  private readonly revocationStates = new Map<string, 'revoked' | 'lifted'>();

  get policy(): CompiledPolicy {
    return this.current;
  }

  apply(event: PolicyControlEvent): ControlEventOutcome {
    switch (event.type) {
      case POLICY_APPLIED_EVENT_TYPE: {
        const inForce = this.current.version;
        if (!followsPolicyVersion(inForce, event.data.version)) {
          return { applied: false, error: `policy version ${event.data.version} does not follow version ${inForce} in force (only ${inForce + 1} applies)` };
        }
        const compiled = compilePolicy(event.data.document, event.data.version);
        // A document that does not compile here was accepted by a newer or buggy writer: keep
        // enforcing the last good policy rather than falling open. The version is not taken
        // (the projector skips it too), so the next writer claims it again.
        if (!compiled.ok) return { applied: false, error: compiled.errors.join('; ') };
        this.current = compiled.policy;
        return { applied: true };
      }
      case CREDENTIAL_REVOKED_EVENT_TYPE: {
        const id = event.data.revocationId;
        if (this.revocationStates.has(id)) return { applied: false, error: `revocation ${id} exists already` };
        this.revocationStates.set(id, 'revoked');
        this.revocations.revoke(event.data);
        return { applied: true };
      }
      case REVOCATION_LIFTED_EVENT_TYPE: {
        const id = event.data.revocationId;
        const state = this.revocationStates.get(id);
        if (state !== 'revoked') return { applied: false, error: state === 'lifted' ? `revocation ${id} is already lifted` : `no revocation ${id}` };
        this.revocationStates.set(id, 'lifted');
        this.revocations.lift(id);
        return { applied: true };
      }
      default: {
        const unknown: never = event;
        return { applied: false, error: `unknown control event ${(unknown as { type: string }).type}` };
      }
    }
  }
}
