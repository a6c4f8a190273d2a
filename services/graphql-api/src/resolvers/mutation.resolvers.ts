// Mutations publish control events (DESIGN §7); every authn instance applies them from the
// control topic, and the read model shows them once the projector consumed them.
import { randomUUID } from 'node:crypto';
import {
  controlEvent,
  CREDENTIAL_REVOKED_EVENT_TYPE,
  type ControlEvent,
  POLICY_APPLIED_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  toBusRecord,
  TOPICS,
} from '@authtrail/events';
import { findCurrentPolicy, findRevocationById } from '@authtrail/read-model';
import { compilePolicy } from '@authtrail/policy';
import { apiError, badInput } from '../errors/api-error';
import type { MutationResolvers } from '../generated/resolvers.generated';
import type { GraphqlContext } from '../context';
import type { ControlPublisher } from '../services';

const MAX_DOCUMENT_BYTES = 256 * 1024;
const MAX_TEXT = 1024;

function publisherOf(context: GraphqlContext): ControlPublisher {
  const control = context.services.control;
  if (!control) throw apiError('NOT_CONFIGURED', 'this API instance has no event bus to publish control events');
  return control;
}

async function publish(control: ControlPublisher, event: ControlEvent): Promise<void> {
  let dropped: boolean;
  try {
    ({ dropped } = await control.publisher.publish(toBusRecord(TOPICS.control, event)));
  } catch {
    throw apiError('PUBLISH_FAILED', 'the control event could not be published; nothing was applied');
  }
  if (dropped) throw apiError('PUBLISH_FAILED', 'the control event was dropped (buffer and spool full); nothing was applied');
}

function optionalText(value: string | null | undefined, argument: string): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (value.length > MAX_TEXT) throw badInput(`${argument} is longer than ${MAX_TEXT} characters`, argument);
  return value;
}

export const mutationResolvers: MutationResolvers<GraphqlContext> = {
  async applyPolicy(_root, { document, comment }, context) {
    const control = publisherOf(context);
    if (Buffer.byteLength(document) > MAX_DOCUMENT_BYTES) throw badInput('policy document is larger than 256 KiB', 'document');
    const current = await findCurrentPolicy(context.db);
    // Versions are assigned here from the read model; two admins applying at the same instant
    // could pick the same number: authn applies only versions newer than its current one, so
    // the second is ignored everywhere (docs/policy.md).
    const version = (current?.version ?? 0) + 1;
    const compiled = compilePolicy(document, version);
    if (!compiled.ok) throw badInput(`invalid policy: ${compiled.errors.slice(0, 5).join('; ')}`, 'document');
    const time = context.services.now();
    const appliedBy = context.caller.username;
    const note = optionalText(comment, 'comment');
    const data = { version, document, appliedBy, ...(note ? { comment: note } : {}) };
    await publish(control, controlEvent({ id: context.services.newEventId(time), time, source: control.source, type: POLICY_APPLIED_EVENT_TYPE, data }));
    return { version, document, appliedBy, comment: data.comment ?? null, appliedAt: time };
  },

  async revokeCredential(_root, { input }, context) {
    const control = publisherOf(context);
    const fingerprint = optionalText(input.fingerprint, 'input.fingerprint');
    const jti = optionalText(input.jti, 'input.jti');
    const serial = optionalText(input.certificateSerial, 'input.certificateSerial');
    const issuer = optionalText(input.certificateIssuer, 'input.certificateIssuer');
    const selectors = [fingerprint, jti, serial].filter((s) => s !== undefined).length;
    if (selectors !== 1) throw badInput('give exactly one of fingerprint, jti, certificateSerial', 'input');
    if (serial !== undefined && issuer === undefined) throw badInput('certificateSerial needs certificateIssuer', 'input.certificateIssuer');
    const time = context.services.now();
    if (input.expiresAt && input.expiresAt.getTime() <= time.getTime()) throw badInput('expiresAt is in the past', 'input.expiresAt');
    const reason = optionalText(input.reason, 'input.reason');
    const revocationId = randomUUID();
    const data = {
      revocationId,
      ...(fingerprint ? { fingerprint } : {}),
      ...(jti ? { jti } : {}),
      ...(serial && issuer ? { certificate: { serial, issuer } } : {}),
      ...(reason ? { reason } : {}),
      revokedBy: context.caller.username,
      ...(input.expiresAt ? { expiresAt: input.expiresAt.toISOString() } : {}),
    };
    await publish(control, controlEvent({ id: context.services.newEventId(time), time, source: control.source, type: CREDENTIAL_REVOKED_EVENT_TYPE, data }));
    return {
      id: revocationId,
      fingerprint: fingerprint ?? null,
      jti: jti ?? null,
      certificateSerial: serial ?? null,
      certificateIssuer: serial ? (issuer ?? null) : null,
      reason: reason ?? null,
      revokedBy: context.caller.username,
      revokedAt: time,
      expiresAt: input.expiresAt ?? null,
      liftedAt: null,
      liftedBy: null,
      liftReason: null,
    };
  },

  async liftRevocation(_root, { id, reason }, context) {
    const control = publisherOf(context);
    if (id.length === 0 || id.length > 200) throw badInput('id must be 1 to 200 characters', 'id');
    const existing = await findRevocationById(context.db, id);
    if (!existing) throw badInput(`no revocation ${id}`, 'id');
    const time = context.services.now();
    const liftReason = optionalText(reason, 'reason');
    const data = { revocationId: id, liftedBy: context.caller.username, ...(liftReason ? { reason: liftReason } : {}) };
    await publish(control, controlEvent({ id: context.services.newEventId(time), time, source: control.source, type: REVOCATION_LIFTED_EVENT_TYPE, data }));
    return { ...existing, liftedAt: time, liftedBy: context.caller.username, liftReason: liftReason ?? null };
  },
};
