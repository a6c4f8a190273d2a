// Turns a consumed record into an event the projector can store, or says why it cannot. The
// shared codec checks JSON, envelope, type/version and data schema; on top of it this checks
// what PostgreSQL would refuse (NUL characters, lone surrogates, out-of-range numbers), so a
// record that decodes here is never the reason a batch transaction fails.
import { isUtf8 } from 'node:buffer';
import {
  createEventDecoder,
  DECISION_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  UPCASTERS,
  type AuthtrailEvent,
  type DecodeFailureReason,
  type UpcasterTable,
} from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';

export type PoisonReason = DecodeFailureReason | 'empty_value' | 'unstorable';

export type RecordDecoding =
  | {
      readonly ok: true;
      readonly event: AuthtrailEvent;
      /**
       * The record's bytes are this event's JSON as it is (no upcaster rewrote it, valid UTF-8):
       * they can be stored as the payload instead of serializing the event again.
       */
      readonly verbatim: boolean;
    }
  | { readonly ok: false; readonly reason: PoisonReason; readonly detail: string };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32_MAX = 2 ** 31 - 1;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type RecordDecoder = (record: ConsumedRecord) => RecordDecoding;

/**
 * The shared event decoder with each upcaster wrapped to note that it ran: an upcasted event
 * differs from the record's bytes, so its payload must be serialized from the event.
 */
export function createRecordDecoder(upcasters: UpcasterTable = UPCASTERS): RecordDecoder {
  let upcasted = false;
  const noting: UpcasterTable = Object.fromEntries(
    Object.entries(upcasters).map(([type, upcaster]) => [
      type,
      (event: Parameters<typeof upcaster>[0]) => {
        upcasted = true;
        return upcaster(event);
      },
    ]),
  );
  const decodeEvent = createEventDecoder({ upcasters: noting });
  return (record) => {
    if (record.value === null || record.value.length === 0) {
      return { ok: false, reason: 'empty_value', detail: 'the record has no value (tombstone or empty)' };
    }
    upcasted = false;
    const decoded = decodeEvent(record.value);
    if (!decoded.ok) return decoded;
    const unstorable = whyUnstorable(decoded.event, record.value);
    if (unstorable) return { ok: false, reason: 'unstorable', detail: unstorable };
    // Invalid UTF-8 was replaced by U+FFFD when parsing; PostgreSQL would refuse the bytes themselves.
    return { ok: true, event: decoded.event, verbatim: !upcasted && isUtf8(record.value) };
  };
}

export const decodeRecord: RecordDecoder = createRecordDecoder();

/**
 * Undefined when PostgreSQL accepts the event as the projector writes it. With the raw JSON
 * given, the string walk is skipped when it has no `\u` escape: valid UTF-8 JSON can carry a NUL
 * or a lone surrogate only as an escape.
 */
export function whyUnstorable(event: AuthtrailEvent, raw?: Buffer): string | undefined {
  if (!UUID_RE.test(event.id)) return 'the event id is not a UUID';
  if (!Number.isFinite(Date.parse(event.time))) return 'the event time is not a timestamp';
  const mayHoldEscapes = raw === undefined || raw.includes('\\u');
  if (mayHoldEscapes && !storableStrings(event)) return 'a string holds a NUL character or a lone surrogate';
  if (event.type === DECISION_EVENT_TYPE) {
    if (!Number.isSafeInteger(event.data.sequence)) return 'data.sequence is not a safe integer';
    if (event.data.dropped !== undefined && !Number.isSafeInteger(event.data.dropped)) return 'data.dropped is not a safe integer';
    const version = event.data.policy?.version;
    if (version !== undefined && version > INT32_MAX) return 'data.policy.version is out of range';
  } else if (event.type === PRODUCER_STATUS_EVENT_TYPE) {
    if (!Number.isSafeInteger(event.data.lastSequence)) return 'data.lastSequence is not a safe integer';
    if (!Number.isSafeInteger(event.data.dropped)) return 'data.dropped is not a safe integer';
  } else if ('version' in event.data && event.data.version > INT32_MAX) {
    return 'data.version is out of range';
  }
  return undefined;
}

function storableStrings(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (typeof value === 'string') return !value.includes('\u0000') && !LONE_SURROGATE_RE.test(value);
  if (Array.isArray(value)) return value.every((v) => storableStrings(v, depth + 1));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).every(([k, v]) => storableStrings(k, depth + 1) && storableStrings(v, depth + 1));
  }
  return true;
}
