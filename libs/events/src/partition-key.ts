// The Kafka key of an event (DESIGN §4). Records with one key land on one partition, so
// everything about one user (or one credential, or one address) is consumed in order.
import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  type CredentialRevokedData,
  type DecisionData,
  type PolicyAppliedData,
  type ProducerStatusData,
  type RevocationLiftedData,
} from './decision.event';
import { INTEGRITY_CHECKPOINT_EVENT_TYPE, type IntegrityCheckpointData } from './integrity-checkpoint.event';

/**
 * Decision events: the username when known (authenticated, else the one the credential
 * claimed), else the credential fingerprint, else the source IP, else the producing instance
 * (a key is never empty).
 */
export function partitionKeyOf(data: DecisionData): string {
  return (
    nonEmpty(data.user?.username) ??
    nonEmpty(data.claimedUsername) ??
    nonEmpty(data.credential?.fingerprint) ??
    nonEmpty(data.request.sourceIp) ??
    data.instance
  );
}

/** Every policy version shares one key: versions must be applied in the order they were published. */
export const POLICY_PARTITION_KEY = 'policy';

/**
 * The compare-and-set rule of the policy partition, applied by every consumer (authn's
 * PolicyState, the projector): a policy-applied event takes effect iff it claims the version
 * after the one in force when it is read. The first claim in topic order wins; a later claim of
 * the same version, a gap or an old version changes nothing. The partition is the arbiter.
 */
export function followsPolicyVersion(inForce: number, claimed: number): boolean {
  return claimed === inForce + 1;
}

/** The type and data of a control event, before or after it is wrapped in an envelope. */
export type ControlPayload =
  | { readonly type: typeof POLICY_APPLIED_EVENT_TYPE; readonly data: PolicyAppliedData }
  | { readonly type: typeof CREDENTIAL_REVOKED_EVENT_TYPE; readonly data: CredentialRevokedData }
  | { readonly type: typeof REVOCATION_LIFTED_EVENT_TYPE; readonly data: RevocationLiftedData }
  | { readonly type: typeof PRODUCER_STATUS_EVENT_TYPE; readonly data: ProducerStatusData }
  | { readonly type: typeof INTEGRITY_CHECKPOINT_EVENT_TYPE; readonly data: IntegrityCheckpointData };

/** The key of every status event of one producer instance: its boots are reported in order. */
export const PRODUCER_PARTITION_KEY_PREFIX = 'producer:';

/**
 * Control events: a revocation and the lifting of it share `revocation:<id>`, so a consumer
 * never sees the lift before the revocation; the status events of one producer share
 * `producer:<instance>`, so a `lost` report never overtakes the heartbeats it concludes.
 */
export function controlPartitionKeyOf(control: ControlPayload): string {
  switch (control.type) {
    case POLICY_APPLIED_EVENT_TYPE:
      return POLICY_PARTITION_KEY;
    case CREDENTIAL_REVOKED_EVENT_TYPE:
    case REVOCATION_LIFTED_EVENT_TYPE:
      return `revocation:${control.data.revocationId}`;
    // A producer's checkpoints follow its status events: one partition keeps them in chain order.
    case PRODUCER_STATUS_EVENT_TYPE:
    case INTEGRITY_CHECKPOINT_EVENT_TYPE:
      return `${PRODUCER_PARTITION_KEY_PREFIX}${control.data.instance}`;
    default: {
      const unreachable: never = control;
      return unreachable;
    }
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
