// How many queued records make the next batch. Kafka refuses a record batch larger than the
// broker's (or topic's) message.max.bytes as a whole, and sent again it is refused again: a batch
// bounded only by its record count wedged the publisher once records were large or a backlog
// built up (MESSAGE_TOO_LARGE on every retry, the spool filling, then every event dropped).
import type { BusRecord } from '../bus.port';

/**
 * Kafka's record format v2 adds to a record's key, value and header bytes its length, attributes,
 * timestamp and offset deltas and one length per header key and value: varints, at most ~25 bytes
 * for records of this size. Rounded up, so the estimate is never below what the broker counts.
 */
const RECORD_OVERHEAD_BYTES = 32;
const HEADER_OVERHEAD_BYTES = 8;

/** A record's size in a Kafka record batch, estimated from above (uncompressed). */
export function recordBytes(record: BusRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(record.key) + record.value.length;
  if (record.headers) {
    for (const name in record.headers) bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + Buffer.byteLength(record.headers[name] ?? '');
  }
  return bytes;
}

export function batchBytes(records: readonly BusRecord[]): number {
  let bytes = 0;
  for (const record of records) bytes += recordBytes(record);
  return bytes;
}

/**
 * How many records from the front, `recordAt(0)` on, form the next batch: at most `maxRecords`
 * and `maxBytes`, but always at least one (a record larger than `maxBytes` goes alone: Kafka
 * decides whether it fits).
 */
export function batchLength(recordAt: (index: number) => BusRecord | undefined, maxRecords: number, maxBytes: number): number {
  let count = 0;
  let bytes = 0;
  for (let record = recordAt(0); record !== undefined && count < maxRecords; record = recordAt(count)) {
    bytes += recordBytes(record);
    if (count > 0 && bytes > maxBytes) break;
    count += 1;
  }
  return count;
}
