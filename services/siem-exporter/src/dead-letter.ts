import type { BusRecord, ConsumedRecord } from '@authtrail/event-bus';

/** Why a record left the pipeline: which sink (or `decoder`) refused it and what it said. */
export interface DeadLetter {
  readonly record: ConsumedRecord;
  readonly sink: string;
  readonly detail: string;
}

/**
 * The dead-letter record: the original value, key and headers unchanged (it can be replayed
 * as is), plus `authtrail_dlq_*` headers saying where it came from and why. Pure.
 */
export function toDeadLetterRecord(topic: string, letter: DeadLetter, now: Date): BusRecord {
  const { record } = letter;
  return {
    topic,
    key: record.key ?? '',
    value: record.value ?? Buffer.alloc(0),
    headers: {
      ...record.headers,
      authtrail_dlq_sink: letter.sink,
      authtrail_dlq_reason: letter.detail.slice(0, 1024),
      authtrail_dlq_topic: record.topic,
      authtrail_dlq_partition: String(record.partition),
      authtrail_dlq_offset: record.offset,
      authtrail_dlq_time: now.toISOString(),
    },
  };
}
