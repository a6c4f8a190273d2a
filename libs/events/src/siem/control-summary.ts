import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  type ControlEvent,
} from '../decision.event';
import { compact } from './field-selection';
import type { DroppableField } from './siem-options';

/** A control event reduced to what a SIEM shows: an action name, a sentence, the actor and details. */
export interface ControlSummary {
  readonly action: 'policy-applied' | 'credential-revoked' | 'revocation-lifted';
  readonly title: string;
  readonly message: string;
  readonly actor?: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Pure. The policy document itself is left out (it can be large; the projector keeps it); the
 * actor is a username, so it follows the `username` field selection.
 */
export function summarizeControl(event: ControlEvent, drop: readonly DroppableField[]): ControlSummary {
  const actor = (name: string | undefined): string | undefined => (drop.includes('username') ? undefined : name);
  switch (event.type) {
    case POLICY_APPLIED_EVENT_TYPE:
      return compact({
        action: 'policy-applied' as const,
        title: 'Policy Applied',
        message: `Policy version ${event.data.version} applied`,
        actor: actor(event.data.appliedBy),
        details: compact({ version: event.data.version, comment: event.data.comment, documentBytes: Buffer.byteLength(event.data.document) }),
      });
    case CREDENTIAL_REVOKED_EVENT_TYPE:
      return compact({
        action: 'credential-revoked' as const,
        title: 'Credential Revoked',
        message: `Credential revoked (${event.data.revocationId})`,
        actor: actor(event.data.revokedBy),
        details: compact({
          revocationId: event.data.revocationId,
          fingerprint: event.data.fingerprint,
          jti: event.data.jti,
          certificate: event.data.certificate,
          reason: event.data.reason,
          expiresAt: event.data.expiresAt,
        }),
      });
    case REVOCATION_LIFTED_EVENT_TYPE:
      return compact({
        action: 'revocation-lifted' as const,
        title: 'Revocation Lifted',
        message: `Revocation lifted (${event.data.revocationId})`,
        actor: actor(event.data.liftedBy),
        details: compact({ revocationId: event.data.revocationId, reason: event.data.reason }),
      });
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}
