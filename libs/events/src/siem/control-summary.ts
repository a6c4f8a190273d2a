import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  type ControlEvent,
  type ProducerStatusData,
} from '../decision.event';
import { INTEGRITY_CHECKPOINT_EVENT_TYPE, type IntegrityCheckpointEvent } from '../integrity-checkpoint.event';
import { compact } from './field-selection';
import type { Severity } from './severity';
import type { DroppableField } from './siem-options';

/** A control event reduced to what a SIEM shows: an action name, a sentence, the actor and details. */
export interface ControlSummary {
  readonly action: 'policy-applied' | 'credential-revoked' | 'revocation-lifted' | 'producer-status' | 'integrity-checkpoint';
  readonly title: string;
  readonly message: string;
  readonly actor?: string;
  readonly severity: Severity;
  readonly details: Readonly<Record<string, unknown>>;
}

const INFORMATIONAL: Severity = { id: 1, name: 'Informational' };
// A boot that ended without a clean stop may have lost decision events: an audit gap.
const MEDIUM: Severity = { id: 3, name: 'Medium' };

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
        severity: INFORMATIONAL,
        details: compact({ version: event.data.version, comment: event.data.comment, documentBytes: Buffer.byteLength(event.data.document) }),
      });
    case CREDENTIAL_REVOKED_EVENT_TYPE:
      return compact({
        action: 'credential-revoked' as const,
        title: 'Credential Revoked',
        message: `Credential revoked (${event.data.revocationId})`,
        actor: actor(event.data.revokedBy),
        severity: INFORMATIONAL,
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
        severity: INFORMATIONAL,
        details: compact({ revocationId: event.data.revocationId, reason: event.data.reason }),
      });
    case PRODUCER_STATUS_EVENT_TYPE:
      return producerStatus(event.data);
    case INTEGRITY_CHECKPOINT_EVENT_TYPE:
      return integrityCheckpoint(event);
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/**
 * The checkpoint's fields for searching, and the signed CloudEvent itself: with the producer's
 * public key a SIEM can check the signature (it covers the envelope too) and holds the chain
 * head off-host, where truncating the trail cannot reach it (docs/integrity.md, docs/siem.md).
 */
function integrityCheckpoint(event: IntegrityCheckpointEvent): ControlSummary {
  const { data } = event;
  return {
    action: 'integrity-checkpoint',
    title: 'Integrity Checkpoint',
    message: `Producer ${data.instance} signed events ${data.fromSequence}–${data.toSequence} of boot ${data.boot} (head ${data.head.slice(0, 16)}…, key ${data.keyId})`,
    severity: INFORMATIONAL,
    details: { ...data, cloudEvent: event },
  };
}

const STATUS_TITLES: Readonly<Record<ProducerStatusData['state'], string>> = {
  running: 'Producer Running',
  stopped: 'Producer Stopped',
  lost: 'Producer Lost',
};

/** The instance is a host or pod name, not a person: it is not subject to the field selection. */
function producerStatus(data: ProducerStatusData): ControlSummary {
  const tail = `last sequence ${data.lastSequence}, ${data.dropped} dropped`;
  const message =
    data.state === 'running' ? `Producer ${data.instance} running (boot ${data.boot}, ${tail})`
    : data.state === 'stopped' ? `Producer ${data.instance} stopped cleanly (boot ${data.boot}, ${tail})`
    : `Producer ${data.instance} ended without stopping (boot ${data.boot}, ${tail}): decision events after the last one received are lost`;
  return {
    action: 'producer-status',
    title: STATUS_TITLES[data.state],
    message,
    severity: data.state === 'lost' ? MEDIUM : INFORMATIONAL,
    details: { instance: data.instance, boot: data.boot, state: data.state, lastSequence: data.lastSequence, dropped: data.dropped },
  };
}
