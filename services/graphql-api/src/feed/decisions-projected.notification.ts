// The projector's NOTIFY on `authtrail_decisions_projected`, sent from its batch transaction
// (services/projector/src/notify/decisions-projected.notification.ts writes it):
// `{"v":1,"newest":"<RFC 3339>","ids":["<uuid>",…]}` — decisions committed by that transaction and
// the newest event time of its batch. A payload that is not this is refused with a named error.

export const DECISIONS_PROJECTED_CHANNEL = 'authtrail_decisions_projected';

export interface DecisionsProjected {
  /** The newest event time of the batch: every announced decision is at or before it. */
  readonly newest: Date;
  /** Lower-case UUIDs. */
  readonly ids: readonly string[];
}

export class BadNotificationError extends Error {
  override readonly name = 'BadNotificationError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function parseDecisionsProjected(payload: string): DecisionsProjected {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    throw new BadNotificationError('decisions-projected notification is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadNotificationError('decisions-projected notification is not an object');
  const { v, newest, ids } = value as Record<string, unknown>;
  if (v !== 1) throw new BadNotificationError(`decisions-projected notification has unknown version ${JSON.stringify(v)}`);
  if (typeof newest !== 'string' || !RFC3339.test(newest) || Number.isNaN(Date.parse(newest))) throw new BadNotificationError('decisions-projected notification: "newest" is not an RFC 3339 time');
  if (!Array.isArray(ids) || ids.length === 0) throw new BadNotificationError('decisions-projected notification: "ids" is not a non-empty list');
  const lowered = ids.map((id) => (typeof id === 'string' ? id.toLowerCase() : ''));
  if (!lowered.every((id) => UUID.test(id))) throw new BadNotificationError('decisions-projected notification: "ids" holds something that is not a UUID');
  return { newest: new Date(newest), ids: lowered };
}
