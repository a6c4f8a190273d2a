// Test helpers shared by the partition specs: decision events on chosen days (built by the
// libs/events builders through the synthetic generator), projected the production way
// (encoded as on Kafka, decoded and written by projectRecords).
import type { ConsumedRecord } from '@authtrail/event-bus';
import { encodeEvent, type AuthtrailEvent } from '@authtrail/events';
import type { ReadModelDb } from '@authtrail/read-model';
import { generateEvents, isDecision } from '../../../testdata/event-generator';
import { projectRecords } from '../../batch.handler';

/** `perDay` decisions (and the generator's control events) starting at 10:00 UTC of each day. */
export function eventsOnDays(days: readonly string[], perDay: number, seed: number): AuthtrailEvent[] {
  return days.flatMap((day, i) => generateEvents(perDay, { seed: seed + i, start: new Date(`${day}T10:00:00.000Z`) }));
}

export const decisionsOf = (events: readonly AuthtrailEvent[]): AuthtrailEvent[] => events.filter(isDecision);

const offsets = new Map<ReadModelDb, number>();

/** Projects `events` as one partition's records, in batches of 500, and checks none was poison. */
export async function projectEvents(db: ReadModelDb, events: readonly AuthtrailEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const start = offsets.get(db) ?? 0;
    const records: ConsumedRecord[] = events.slice(i, i + 500).map((event, n) => ({
      topic: 'p',
      partition: 0,
      offset: String(start + n),
      key: null,
      value: encodeEvent(event),
      headers: {},
      timestamp: '0',
    }));
    const next = start + records.length;
    offsets.set(db, next);
    const { outcome } = await projectRecords(db, records, { groupId: 'p', topic: 'p', partition: 0, nextOffset: String(next), highWatermark: String(next) });
    if (outcome.deadLettered !== 0) throw new Error(`${outcome.deadLettered} generated events were dead-lettered`);
  }
}
