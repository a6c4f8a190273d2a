import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  DECISION_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  type AuthtrailEvent,
  type DecisionEvent,
} from '@authtrail/events';

export const CONTROL_EVENT_TYPES_SET: ReadonlySet<string> = new Set([
  POLICY_APPLIED_EVENT_TYPE,
  CREDENTIAL_REVOKED_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
]);

export function isDecisionEvent(event: AuthtrailEvent): event is DecisionEvent {
  return event.type === DECISION_EVENT_TYPE;
}
