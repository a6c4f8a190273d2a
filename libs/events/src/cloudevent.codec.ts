// CloudEvents 1.0 structured mode for Kafka (DESIGN §4): the whole event, envelope and data, is
// the JSON record value; the key is the partition key; decoding reads only the value.
import type { AuthtrailEvent } from './decision.event';
import { DECISION_EVENT_TYPE } from './decision.event';
import { isKnownEventType } from './event-catalogue';
import { controlPartitionKeyOf, partitionKeyOf } from './partition-key';
import { validateEnvelope, validateEventData } from './schema-validators';
import { UPCASTERS, upcast, type UntypedEvent, type UpcasterTable } from './upcasters';

export const CLOUDEVENTS_JSON_CONTENT_TYPE = 'application/cloudevents+json';

/**
 * A Kafka record ready to publish; structurally the `BusRecord` of `@authtrail/event-bus`
 * (events is the lower lib and does not import the bus).
 */
export interface EventRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** The JSON bytes of the event. Producers build events with the builders, which fill every attribute. */
export function encodeEvent(event: AuthtrailEvent): Buffer {
  return Buffer.from(JSON.stringify(event), 'utf8');
}

/** `subject` when set, else the partition key computed from the data. */
export function partitionKeyOfEvent(event: AuthtrailEvent): string {
  if (event.subject) return event.subject;
  return event.type === DECISION_EVENT_TYPE ? partitionKeyOf(event.data) : controlPartitionKeyOf(event);
}

/**
 * Structured mode (CloudEvents Kafka binding §3.2): `content-type` is the one header; every
 * attribute is in the value. The `ce_*` headers of binary mode are not repeated: at ~1 KB per
 * event, six more headers cost kafkajs about a third of its producer throughput (bench/authn).
 */
export const STRUCTURED_MODE_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE });

export function toBusRecord(topic: string, event: AuthtrailEvent): EventRecord {
  return { topic, key: partitionKeyOfEvent(event), value: encodeEvent(event), headers: STRUCTURED_MODE_HEADERS };
}

export type DecodeFailureReason = 'invalid_json' | 'invalid_envelope' | 'unknown_type' | 'unsupported_version' | 'invalid_data';

export type DecodeResult =
  | { readonly ok: true; readonly event: AuthtrailEvent }
  | { readonly ok: false; readonly reason: DecodeFailureReason; readonly detail: string };

/** Takes a record value as consumed; `null` (a Kafka tombstone) is `invalid_json`. */
export type EventDecoder = (input: Buffer | Uint8Array | string | null) => DecodeResult;

export interface EventDecoderOptions {
  /** Type → upcaster; defaults to the real table. Tests pass fake old versions. */
  readonly upcasters?: UpcasterTable;
}

/**
 * Decodes a record value: JSON, envelope, type, upcasting to the current version, then the data
 * schema. Never throws; a failure says which step failed (a consumer dead-letters it) and its
 * detail never quotes the input, which may be anything, secrets included.
 */
export function createEventDecoder(options: EventDecoderOptions = {}): EventDecoder {
  const upcasters = options.upcasters ?? UPCASTERS;
  return (input) => {
    const parsed = parseJson(input);
    if (!parsed.ok) return parsed;
    const value = parsed.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, reason: 'invalid_envelope', detail: 'the event is not a JSON object' };
    }
    const specversion: unknown = (value as { specversion?: unknown }).specversion;
    if (typeof specversion === 'string' && specversion !== '1.0') {
      return { ok: false, reason: 'unsupported_version', detail: 'only CloudEvents specversion 1.0 is supported' };
    }
    const envelope = validateEnvelope(value);
    if (!envelope.ok) return { ok: false, reason: 'invalid_envelope', detail: envelope.detail };

    const upcasted = upcast(value as UntypedEvent, upcasters);
    if (!upcasted.ok) return upcasted;
    const event = upcasted.event;
    // An upcaster is code too: what it returns is checked like anything read from the wire.
    if (event !== value) {
      const upcastEnvelope = validateEnvelope(event);
      if (!upcastEnvelope.ok) return { ok: false, reason: 'invalid_envelope', detail: `after upcasting: ${upcastEnvelope.detail}` };
    }
    if (!isKnownEventType(event.type)) return { ok: false, reason: 'unknown_type', detail: 'upcasting did not reach a known type' };
    const data = validateEventData(event.type, event.data);
    if (!data.ok) return { ok: false, reason: 'invalid_data', detail: data.detail };
    return { ok: true, event: event as AuthtrailEvent };
  };
}

export const decodeEvent: EventDecoder = createEventDecoder();

type JsonParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: 'invalid_json'; readonly detail: string };

function parseJson(input: Buffer | Uint8Array | string | null): JsonParse {
  let text: string;
  if (input === null) return { ok: false, reason: 'invalid_json', detail: 'the record has no value' };
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  else return { ok: false, reason: 'invalid_json', detail: 'the record value is neither bytes nor a string' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // JSON.parse messages quote the input ("Unexpected token … "abc…" is not valid JSON").
    return { ok: false, reason: 'invalid_json', detail: `the record value (${text.length} characters) is not valid JSON` };
  }
}
