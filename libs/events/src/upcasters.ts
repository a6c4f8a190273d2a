// The version hook of decoding. Event types carry their version (`….v1`); when v2 of a type
// appears, an upcaster turns a stored v1 event into v2 so consumers only handle the current
// shape, and events written years ago stay readable (Kafka keeps them; `replay` re-reads them).
// v1 is the only version today, so the table is empty; the tests drive the hook with a fake v0.
import { isKnownEventFamily, isKnownEventType } from './event-catalogue';

/** An envelope as found on the wire, before its `data` is known to match a current schema. */
export interface UntypedEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly dataschema?: string;
  readonly subject?: string;
  readonly data: unknown;
}

/** Turns an event of type `….vN` into the same event as `….vN+1` (type, dataschema and data). */
export type Upcaster = (event: UntypedEvent) => UntypedEvent;

/** Keyed by the type an upcaster reads. */
export type UpcasterTable = Readonly<Record<string, Upcaster>>;

export const UPCASTERS: UpcasterTable = {};

export type UpcastResult =
  | { readonly ok: true; readonly event: UntypedEvent }
  | { readonly ok: false; readonly reason: 'unknown_type' | 'unsupported_version' | 'invalid_data'; readonly detail: string };

/** Applies upcasters until the event has a current type. Never throws. */
export function upcast(event: UntypedEvent, table: UpcasterTable): UpcastResult {
  let current = event;
  // Each step must reach a new type; more steps than upcasters means a cycle.
  for (let steps = 0; steps <= Object.keys(table).length; steps += 1) {
    if (isKnownEventType(current.type)) return { ok: true, event: current };
    if (!Object.hasOwn(table, current.type)) {
      return isKnownEventFamily(current.type)
        ? { ok: false, reason: 'unsupported_version', detail: `no upcaster from ${safeType(current.type)} to a current version` }
        : { ok: false, reason: 'unknown_type', detail: `unknown event type (${current.type.length} characters)` };
    }
    const from = current.type;
    try {
      current = table[from](current);
    } catch {
      // The upcaster's own message may quote the old data; the type is enough to find it.
      return { ok: false, reason: 'invalid_data', detail: `upcasting ${safeType(from)} failed` };
    }
  }
  return { ok: false, reason: 'unsupported_version', detail: `upcasters from ${safeType(event.type)} do not reach a current version` };
}

// Only types of a family we know are printed (family + version digits: nothing from outside).
// Anything else may be any string, e.g. a bootstrap token (`abcdef.0123456789abcdef`) pasted
// into the wrong field: details say how long it was, never what it was.
function safeType(type: string): string {
  if (!isKnownEventFamily(type)) return `(a type of ${type.length} characters)`;
  return JSON.stringify(type);
}
