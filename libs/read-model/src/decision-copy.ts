// The COPY input of decision rows, built once per slice of a batch. The payload column is the
// event's JSON as bytes — for a consumed record, the record's own bytes (the event as the
// producer encoded it), so the projector does not serialize again what it just parsed.
import { copyField } from './copy-text';
import { DECISION_COLUMNS, type DecisionRow } from './entities/decision.entity';
import { columnOf } from './table-sql';

/** A decision row whose payload is the UTF-8 JSON text of the whole CloudEvent. */
export type EncodedDecisionRow = Omit<DecisionRow, 'payload'> & {
  /** Must be valid UTF-8 JSON (PostgreSQL refuses the whole COPY otherwise). */
  readonly payloadJson: Buffer;
};

/** One COPY into `decision`: the text in COPY format and the (lower-case) ids it holds, in order. */
export interface DecisionCopy {
  readonly ids: readonly string[];
  readonly text: Buffer;
}

type TypedField = Exclude<keyof DecisionRow, 'payload'>;
/** The typed columns in the entity's order; the payload goes last, so a line ends with its bytes. */
const TYPED_FIELDS = (Object.keys(DECISION_COLUMNS) as (keyof DecisionRow)[]).filter((k): k is TypedField => k !== 'payload');
export const DECISION_COPY_COLUMNS = [...TYPED_FIELDS.map((k) => columnOf(DECISION_COLUMNS, k)), columnOf(DECISION_COLUMNS, 'payload')].join(', ');

const BACKSLASH = 0x5c;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const NEWLINE = Buffer.from('\n');

/**
 * COPY text escaping over bytes: `\`, tab, LF and CR become `\\`, `\t`, `\n`, `\r`. Safe on UTF-8
 * as bytes: every byte of a multi-byte character is >= 0x80, so none is taken for one of these.
 * Compact JSON holds no raw tab or newline, and most events no backslash: then the bytes are
 * returned as they are (four native scans, no copy).
 */
export function escapeCopyBytes(bytes: Buffer): Buffer {
  if (bytes.indexOf(BACKSLASH) === -1 && bytes.indexOf(LF) === -1 && bytes.indexOf(CR) === -1 && bytes.indexOf(TAB) === -1) return bytes;
  const out = Buffer.allocUnsafe(bytes.length * 2);
  let n = 0;
  for (const byte of bytes) {
    if (byte === BACKSLASH || byte === TAB || byte === LF || byte === CR) {
      out[n++] = BACKSLASH;
      out[n++] = byte === BACKSLASH ? BACKSLASH : byte === TAB ? 0x74 : byte === LF ? 0x6e : 0x72;
    } else {
      out[n++] = byte;
    }
  }
  return out.subarray(0, n);
}

/** The COPY input of `rows` (columns in DECISION_COPY_COLUMNS order). */
export function decisionCopy(rows: readonly EncodedDecisionRow[]): DecisionCopy {
  const parts: Buffer[] = [];
  const ids: string[] = [];
  for (const row of rows) {
    let typed = '';
    for (const field of TYPED_FIELDS) typed += `${copyField(row[field])}\t`;
    parts.push(Buffer.from(typed), escapeCopyBytes(row.payloadJson), NEWLINE);
    ids.push(row.id);
  }
  return { ids, text: Buffer.concat(parts) };
}

/** A row with its payload serialized here (callers that hold an event, not its record bytes). */
export function encodeDecisionRow({ payload, ...typed }: DecisionRow): EncodedDecisionRow {
  return { ...typed, payloadJson: Buffer.from(JSON.stringify(payload)) };
}
