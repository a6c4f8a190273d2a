// Builders of the envelopes. Pure: the id, the time and the source are passed in, so the same
// input always gives the same event (golden tests) and producers decide where ids come from.
import {
  DECISION_EVENT_TYPE,
  type ControlEvent,
  type DecisionData,
  type DecisionEvent,
} from './decision.event';
import { normalizeDecisionData } from './decision-normalize';
import { isoTimeOf } from './iso-time';
import { dataSchemaUriOf } from './event-catalogue';
import { controlPartitionKeyOf, partitionKeyOf, type ControlPayload } from './partition-key';

export interface EventOrigin {
  /** A UUIDv7, normally `newEventId(time)`. */
  readonly id: string;
  readonly time: Date;
  /** `eventSource(service, instance)`, e.g. `/authtrail/authn/pod-7`. */
  readonly source: string;
}

/** The CloudEvents `source` of a producer: `/authtrail/<service>/<instance>`. */
export function eventSource(service: string, instance: string): string {
  return `/authtrail/${encodeURIComponent(service)}/${encodeURIComponent(instance)}`;
}

/**
 * The decision event of `data`, normalised (decision-normalize.ts): every producer builds its
 * events here, so no request-derived string can make one unstorable.
 */
export function decisionEvent(input: EventOrigin & { readonly data: DecisionData }): DecisionEvent {
  const data = normalizeDecisionData(input.data);
  return {
    specversion: '1.0',
    id: input.id,
    source: input.source,
    type: DECISION_EVENT_TYPE,
    time: isoTime(input.time),
    datacontenttype: 'application/json',
    dataschema: dataSchemaUriOf(DECISION_EVENT_TYPE),
    subject: partitionKeyOf(data),
    data,
  };
}

/** The control event of `type` (policy applied, credential revoked, revocation lifted, producer status). */
export function controlEvent<P extends ControlPayload>(input: EventOrigin & P): Extract<ControlEvent, { readonly type: P['type'] }>;
export function controlEvent(input: EventOrigin & ControlPayload): ControlEvent {
  return {
    specversion: '1.0',
    id: input.id,
    source: input.source,
    type: input.type,
    time: isoTime(input.time),
    datacontenttype: 'application/json',
    dataschema: dataSchemaUriOf(input.type),
    subject: controlPartitionKeyOf(input),
    data: input.data,
  } as ControlEvent;
}

// Busy producers stamp many events within one millisecond: its RFC 3339 text is formatted once.
let lastMillis = Number.NaN;
let lastText = '';

/** `time.toISOString()`, remembered for the last millisecond asked. */
function isoTime(time: Date): string {
  const millis = time.getTime();
  if (millis !== lastMillis) {
    lastText = isoTimeOf(millis);
    lastMillis = millis;
  }
  return lastText;
}
