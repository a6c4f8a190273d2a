// Mutations publish control events (DESIGN §7); every authn instance applies them from the
// control topic, and the read model shows them once the projector consumed them. Input is
// checked with the event schemas before anything is published (control/control-input.ts).
// Policy versions and lifts are compare-and-set (docs/policy.md): the control topic's order
// decides, and the mutation answers with the outcome the read model shows.
import { randomUUID } from 'node:crypto';
import {
  controlEvent,
  CREDENTIAL_REVOKED_EVENT_TYPE,
  type ControlEvent,
  type CredentialRevokedData,
  POLICY_APPLIED_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  toBusRecord,
  TOPICS,
} from '@authtrail/events';
import { findCurrentPolicy, findPolicyVersion, findRevocationById } from '@authtrail/read-model';
import { compilePolicy } from '@authtrail/policy';
import { apiError, badInput, conflict } from '../errors/api-error';
import type { MutationResolvers } from '../generated/resolvers.generated';
import type { GraphqlContext } from '../context';
import type { ControlPublisher } from '../services';
import { awaitOutcome } from './control/await-outcome';
import { assertControlData, given, LIFT_ARGUMENTS, optionalText, POLICY_ARGUMENTS, REVOKE_ARGUMENTS } from './control/control-input';

function publisherOf(context: GraphqlContext): ControlPublisher {
  const control = context.services.control;
  if (!control) throw apiError('NOT_CONFIGURED', 'this API instance has no event bus to publish control events');
  return control;
}

async function publish(control: ControlPublisher, event: ControlEvent): Promise<void> {
  let dropped: boolean;
  try {
    ({ dropped } = await (control.events ? control.events.publish(TOPICS.control, event) : control.publisher.publish(toBusRecord(TOPICS.control, event))));
  } catch {
    throw apiError('PUBLISH_FAILED', 'the control event could not be published; nothing was applied');
  }
  if (dropped) throw apiError('PUBLISH_FAILED', 'the control event was dropped (buffer and spool full); nothing was applied');
}

const pending = (what: string, eventId: string) =>
  apiError('OUTCOME_PENDING', `${what} was published but the read model did not show its outcome in time; the control topic's order decides it`, { eventId });

async function versionInForce(control: ControlPublisher): Promise<number> {
  return (await findCurrentPolicy(control.readModel))?.version ?? 0;
}

export const mutationResolvers: MutationResolvers<GraphqlContext> = {
  async applyPolicy(_root, { document, expectedVersion, comment }, context) {
    const control = publisherOf(context);
    const version = expectedVersion + 1;
    const note = optionalText(comment);
    const data = { version, document, appliedBy: context.caller.username, ...(note ? { comment: note } : {}) };
    assertControlData(POLICY_APPLIED_EVENT_TYPE, data, POLICY_ARGUMENTS);
    const compiled = compilePolicy(document, version);
    if (!compiled.ok) throw badInput(`invalid policy: ${compiled.errors.slice(0, 5).join('; ')}`, 'document');
    // A stale expectation loses for sure: refused before publishing. An expectation the read
    // model has not reached either (it never showed that version) is refused too.
    const inForce = await versionInForce(control);
    if (inForce !== expectedVersion) throw conflict(`policy version ${inForce} is in force, not ${expectedVersion}; nothing changed`, { currentVersion: inForce });
    const time = context.services.now();
    const eventId = context.services.newEventId(time);
    await publish(control, controlEvent({ id: eventId, time, source: control.source, type: POLICY_APPLIED_EVENT_TYPE, data }));
    const stored = await awaitOutcome(() => findPolicyVersion(control.readModel, version), context.services.limits.mutationTimeoutMs);
    if (!stored) throw pending(`policy version ${version}`, eventId);
    if (stored.eventId !== eventId.toLowerCase()) {
      throw conflict(`another apply took policy version ${version} first; nothing changed`, { currentVersion: await versionInForce(control) });
    }
    return { version: stored.version, document: stored.document, appliedBy: stored.appliedBy, comment: stored.comment, appliedAt: stored.appliedAt };
  },

  async revokeCredential(_root, { input }, context) {
    const control = publisherOf(context);
    const time = context.services.now();
    if (input.expiresAt && input.expiresAt.getTime() <= time.getTime()) throw badInput('input.expiresAt: is in the past', 'input.expiresAt');
    const fingerprint = given(input.fingerprint);
    const jti = given(input.jti);
    const serial = given(input.certificateSerial);
    const issuer = given(input.certificateIssuer);
    const reason = optionalText(input.reason);
    const revocationId = randomUUID();
    const data = {
      revocationId,
      ...(fingerprint !== undefined ? { fingerprint } : {}),
      ...(jti !== undefined ? { jti } : {}),
      ...(serial !== undefined || issuer !== undefined ? { certificate: { ...(serial !== undefined ? { serial } : {}), ...(issuer !== undefined ? { issuer } : {}) } } : {}),
      ...(reason ? { reason } : {}),
      revokedBy: context.caller.username,
      ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
    };
    assertControlData(CREDENTIAL_REVOKED_EVENT_TYPE, data, REVOKE_ARGUMENTS);
    // The schema just accepted it: exactly one selector, a certificate with serial and issuer.
    const revoked = data as CredentialRevokedData;
    await publish(control, controlEvent({ id: context.services.newEventId(time), time, source: control.source, type: CREDENTIAL_REVOKED_EVENT_TYPE, data: revoked }));
    return {
      id: revocationId,
      fingerprint: fingerprint ?? null,
      jti: jti ?? null,
      certificateSerial: serial ?? null,
      certificateIssuer: issuer ?? null,
      reason: reason ?? null,
      revokedBy: context.caller.username,
      revokedAt: time,
      expiresAt: input.expiresAt ?? null,
      liftedAt: null,
      liftedBy: null,
      liftReason: null,
      liftEventId: null,
    };
  },

  async liftRevocation(_root, { id, reason }, context) {
    const control = publisherOf(context);
    const liftReason = optionalText(reason);
    const data = { revocationId: id, liftedBy: context.caller.username, ...(liftReason ? { reason: liftReason } : {}) };
    assertControlData(REVOCATION_LIFTED_EVENT_TYPE, data, LIFT_ARGUMENTS);
    const existing = await findRevocationById(control.readModel, id);
    if (!existing || existing.revokedAt === null) throw badInput(`id: no revocation ${id}`, 'id');
    if (existing.liftedAt !== null) throw conflict(`revocation ${id} is already lifted; nothing changed`, { liftedAt: existing.liftedAt.toISOString() });
    const time = context.services.now();
    const eventId = context.services.newEventId(time);
    await publish(control, controlEvent({ id: eventId, time, source: control.source, type: REVOCATION_LIFTED_EVENT_TYPE, data }));
    const lifted = await awaitOutcome(async () => {
      const row = await findRevocationById(control.readModel, id);
      return row?.liftedAt ? row : undefined;
    }, context.services.limits.mutationTimeoutMs);
    if (!lifted) throw pending(`the lift of revocation ${id}`, eventId);
    if (lifted.liftEventId !== eventId.toLowerCase()) throw conflict(`another lift of revocation ${id} took effect first; nothing changed`, { liftedAt: lifted.liftedAt?.toISOString() });
    return lifted;
  },
};
