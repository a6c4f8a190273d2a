import { deadLetterRecord } from '@authtrail/events';
import type { BusRecord, ConsumedRecord } from '@authtrail/event-bus';

/** Why a record left the pipeline: which sink (or `decoder`) refused it and what it said. */
export interface DeadLetter {
  readonly record: ConsumedRecord;
  readonly sink: string;
  readonly detail: string;
  /** The event's id, when the record decoded (a sink refused it): what the logs name it by. */
  readonly eventId?: string;
}

/** The dead-letter record, in the format every authtrail service uses (libs/events). Pure. */
export function toDeadLetterRecord(topic: string, letter: DeadLetter, now: Date): BusRecord {
  return deadLetterRecord({ record: letter.record, refusedBy: letter.sink, reason: letter.detail, topic, now });
}
