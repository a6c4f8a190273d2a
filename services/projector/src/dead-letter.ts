import { TOPICS } from '@authtrail/events';
import type { BusRecord, ConsumedRecord } from '@authtrail/event-bus';
import type { PoisonReason } from './decode-record';

/** Sends dead letters and resolves once they are durable (the projector commits after it). */
export type DeadLetterSink = (records: readonly BusRecord[]) => Promise<void>;

export const DEAD_LETTER_HEADERS = {
  reason: 'x-authtrail-dead-letter-reason',
  detail: 'x-authtrail-dead-letter-detail',
  topic: 'x-authtrail-original-topic',
  partition: 'x-authtrail-original-partition',
  offset: 'x-authtrail-original-offset',
} as const;

/**
 * The dead letter of a poison record: the original bytes and key, and why, in headers. The
 * detail never quotes the value (it may hold anything, a pasted token included).
 */
export function toDeadLetter(record: ConsumedRecord, reason: PoisonReason, detail: string, topic: string = TOPICS.deadLetter): BusRecord {
  return {
    topic,
    key: record.key ?? '',
    value: record.value ?? Buffer.alloc(0),
    headers: {
      ...record.headers,
      [DEAD_LETTER_HEADERS.reason]: reason,
      [DEAD_LETTER_HEADERS.detail]: detail.slice(0, 300),
      [DEAD_LETTER_HEADERS.topic]: record.topic,
      [DEAD_LETTER_HEADERS.partition]: String(record.partition),
      [DEAD_LETTER_HEADERS.offset]: record.offset,
    },
  };
}
