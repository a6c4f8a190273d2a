import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
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
 */
export class PolicyState {
  private current: CompiledPolicy = EMPTY_POLICY;
  readonly revocations = new RevocationSet();

  get policy(): CompiledPolicy {
    return this.current;
  }

  apply(event: PolicyControlEvent): ControlEventOutcome {
    switch (event.type) {
      case POLICY_APPLIED_EVENT_TYPE: {
        if (event.data.version <= this.current.version) {
          return { applied: false, error: `policy version ${event.data.version} is not newer than ${this.current.version}` };
        }
        const compiled = compilePolicy(event.data.document, event.data.version);
        // A document that does not compile here was accepted by a newer or buggy writer: keep
        // enforcing the last good policy rather than falling open.
        if (!compiled.ok) return { applied: false, error: compiled.errors.join('; ') };
        this.current = compiled.policy;
        return { applied: true };
      }
      case CREDENTIAL_REVOKED_EVENT_TYPE:
        this.revocations.revoke(event.data);
        return { applied: true };
      case REVOCATION_LIFTED_EVENT_TYPE:
        this.revocations.lift(event.data.revocationId);
        return { applied: true };
      default: {
        const unknown: never = event;
        return { applied: false, error: `unknown control event ${(unknown as { type: string }).type}` };
      }
    }
  }
}
