import type { DeliveryOutcome } from './sink.port';

/**
 * When a destination refuses a whole batch for good (HEC 400, Kafka MESSAGE_TOO_LARGE) it rarely
 * says which event is at fault: send them one by one so only the bad ones are dead-lettered.
 * `sendOne` outcomes of `refused` name index 0; they are renumbered to the batch.
 */
export async function splitOnRefusal<T>(items: readonly T[], sendOne: (item: T) => Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
  const refused: { index: number; detail: string }[] = [];
  for (const [index, item] of items.entries()) {
    const outcome = await sendOne(item);
    if (outcome.kind === 'unavailable') return outcome;
    if (outcome.kind === 'refused') refused.push(...outcome.refused.map((r) => ({ index, detail: r.detail })));
  }
  return refused.length > 0 ? { kind: 'refused', refused } : { kind: 'acknowledged' };
}
