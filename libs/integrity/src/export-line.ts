// One line of an `authtrail export` file: where the record was read, then its value verbatim.
//   {"topic":"authtrail.decisions.v1","partition":2,"offset":"1234","timestamp":"1765022112000","value":<the record value bytes>}
// The value is spliced in as it was consumed, never re-serialised, so the hash of the bytes after
// `"value":` (up to the final `}`) is the hash the chain holds. A record value never holds a raw
// newline (JSON.stringify escapes them), so one record is one line. A line that is a bare
// CloudEvent (a SIEM's copy) is read too, without a location.
import type { RecordLocation } from './verification-report';

export interface ExportedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly value: Buffer;
}

export type ExportLineRead =
  | { readonly ok: true; readonly value: Buffer; readonly location: RecordLocation }
  | { readonly ok: false; readonly detail: string };

export function formatExportLine(record: ExportedRecord): Buffer {
  const head = `{"topic":${JSON.stringify(record.topic)},"partition":${record.partition},"offset":${JSON.stringify(record.offset)},"timestamp":${JSON.stringify(record.timestamp)},"value":`;
  if (record.value.includes(0x0a)) throw new Error(`the record at ${record.topic} partition ${record.partition} offset ${record.offset} holds a newline: not a JSON record value`);
  return Buffer.concat([Buffer.from(head, 'utf8'), record.value, Buffer.from('}\n', 'utf8')]);
}

const DECIMAL = /^(?:0|[1-9][0-9]{0,19})$/;

/** Reads one line (without its newline); `lineNumber` is 1-based. Never throws. */
export function parseExportLine(line: Buffer, lineNumber: number): ExportLineRead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch {
    return { ok: false, detail: `line ${lineNumber} (${line.length} bytes) is not JSON` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, detail: `line ${lineNumber} is not a JSON object` };
  const fields = parsed as Record<string, unknown>;
  if (!('value' in fields) && 'specversion' in fields) return { ok: true, value: line, location: { line: lineNumber } };
  const { topic, partition, offset, timestamp } = fields;
  if (typeof topic !== 'string' || !Number.isSafeInteger(partition) || (partition as number) < 0 || typeof offset !== 'string' || !DECIMAL.test(offset) || typeof timestamp !== 'string') {
    return { ok: false, detail: `line ${lineNumber} is neither an export line (topic, partition, offset, timestamp, value) nor a CloudEvent` };
  }
  const head = Buffer.from(`{"topic":${JSON.stringify(topic)},"partition":${partition as number},"offset":${JSON.stringify(offset)},"timestamp":${JSON.stringify(timestamp)},"value":`, 'utf8');
  // The value's bytes are taken from the line itself; the line must be exactly head + value + "}".
  if (line.length < head.length + 1 || !line.subarray(0, head.length).equals(head) || line[line.length - 1] !== 0x7d) {
    return { ok: false, detail: `line ${lineNumber} is not laid out as authtrail export writes it` };
  }
  const value = line.subarray(head.length, line.length - 1);
  // `"value":{},"x":1}` parses as a line too; the value must be one JSON value on its own.
  if (!isJson(value)) return { ok: false, detail: `line ${lineNumber} is not laid out as authtrail export writes it (its value is not one JSON value)` };
  return { ok: true, value, location: { topic, partition: partition as number, offset, line: lineNumber } };
}

function isJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
