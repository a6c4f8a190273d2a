import { deadLetterRecord, TOPICS } from '@authtrail/events';
import type { BusRecord, ConsumedRecord } from '@authtrail/event-bus';
import type { PoisonReason } from './decode-record';

/** Sends dead letters and resolves once they are durable (the projector commits after it). */
export type DeadLetterSink = (records: readonly BusRecord[]) => Promise<void>;

/**
 * The dead letter of a poison record, in the format every authtrail service uses
 * (`DEAD_LETTER_HEADERS` of libs/events): the reason code, and a detail that never quotes the value.
 */
export function toDeadLetter(record: ConsumedRecord, reason: PoisonReason, detail: string, topic: string = TOPICS.deadLetter, now = new Date()): BusRecord {
  return deadLetterRecord({ record, refusedBy: 'projector', code: reason, reason: detail, topic, now });
}
