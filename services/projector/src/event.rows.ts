// Pure mappings from events to the rows the read model appends.
import { isIP } from 'node:net';
import type { ControlEvent, DecisionEvent } from '@authtrail/events';
import type { ControlEventRow, DecisionRow, EncodedDecisionRow } from '@authtrail/read-model';

// Already canonical, and a date every month has (days 29–31 and leap seconds take the slow
// path, where Date normalizes them): returned as is. Producers write this form, and the
// projector asks several times per event, so the parse + format was a visible cost.
const CANONICAL_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** The event time at millisecond precision, UTC: one canonical form for keys and comparisons. */
export function canonicalTime(time: string): string {
  return CANONICAL_TIME.test(time) ? time : new Date(Date.parse(time)).toISOString();
}

/** A literal Postgres `inet` accepts, else null (the raw value stays in the payload). */
export function inetOrNull(ip: string | undefined): string | null {
  return ip !== undefined && isIP(ip) !== 0 ? ip : null;
}

export function isoOrNull(time: string | undefined): string | null {
  if (time === undefined) return null;
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * The `decision` row of an event. `username` is the authenticated user, else the claimed name
 * where the producer kept it in clear (it cannot be a secret there); a name only hashed stays a
 * hash (`claimedUsernameHash`). The payload is the whole CloudEvent.
 */
export function toDecisionRow(event: DecisionEvent): DecisionRow {
  const d = event.data;
  const username = d.user?.username ?? d.claimedUsername ?? null;
  return {
    id: event.id.toLowerCase(),
    time: canonicalTime(event.time),
    decision: d.decision,
    httpStatus: d.httpStatus,
    reason: d.reason,
    strategy: d.strategy ?? null,
    username,
    claimed: d.user === undefined && username !== null,
    claimedUsernameHash: d.claimedUsernameHash ?? null,
    groups: d.user?.groups ?? [],
    sourceIp: inetOrNull(d.request.sourceIp),
    userAgent: d.request.userAgent ?? null,
    endpoint: d.request.endpoint ?? null,
    // Who called (a TokenReview's kube-apiserver), never the user: that is `username`.
    callerSubject: d.request.caller?.certificate?.subject ?? null,
    credentialFingerprint: d.credential?.fingerprint ?? null,
    credentialType: d.credential?.type ?? null,
    policyVersion: d.policy?.version ?? null,
    instance: d.instance ?? null,
    boot: d.boot ?? null,
    sequence: d.sequence ?? null,
    payload: event,
  };
}

/**
 * The same row with its payload as JSON bytes: `verbatimJson`, the record's bytes when they are
 * this event's JSON as received (decodeRecord says so), is stored as it is; else the event is
 * serialized.
 */
export function toEncodedDecisionRow(event: DecisionEvent, verbatimJson?: Buffer): EncodedDecisionRow {
  const { payload, ...typed } = toDecisionRow(event);
  return { ...typed, payloadJson: verbatimJson ?? Buffer.from(JSON.stringify(payload)) };
}

export function toControlEventRow(event: ControlEvent): ControlEventRow {
  return { id: event.id.toLowerCase(), time: canonicalTime(event.time), type: event.type, payload: event };
}
