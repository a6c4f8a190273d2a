// A sink delivers a batch of events to one destination and says what happened as a value:
// everything acknowledged, the destination unavailable (the whole batch is tried again later),
// or some events refused for good (they go to the dead-letter topic, the rest is acknowledged).
import type { AuthtrailEvent } from '@authtrail/events';

export interface SinkItem {
  readonly event: AuthtrailEvent;
  /** Partition key of the source record (DESIGN §4); output records are keyed the same. */
  readonly key: string | null;
  /** Headers of the source record (`ce_*` among them). */
  readonly headers: Readonly<Record<string, string>>;
}

export type DeliveryOutcome =
  | { readonly kind: 'acknowledged' }
  | { readonly kind: 'unavailable'; readonly detail: string }
  | { readonly kind: 'refused'; readonly refused: readonly { readonly index: number; readonly detail: string }[] };

export interface Sink {
  readonly name: string;
  /** Never throws; an empty batch is acknowledged. */
  deliver(items: readonly SinkItem[]): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

export const ACKNOWLEDGED: DeliveryOutcome = { kind: 'acknowledged' };
