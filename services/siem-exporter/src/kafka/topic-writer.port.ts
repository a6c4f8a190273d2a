import type { BusRecord } from '@authtrail/event-bus';

/**
 * Writes records to topics and says whether the broker acknowledged them (acks from all
 * in-sync replicas). Used by the Kafka sinks and the dead-letter topic. Never throws.
 */
export interface TopicWriter {
  write(records: readonly BusRecord[]): Promise<TopicWriteOutcome>;
  close(): Promise<void>;
}

export type TopicWriteOutcome =
  | { readonly kind: 'acknowledged' }
  /** Broker unreachable, leader moving, timeouts: try again later. */
  | { readonly kind: 'unavailable'; readonly detail: string }
  /** The broker refuses these records for good (too large, invalid topic, not authorized). */
  | { readonly kind: 'refused'; readonly detail: string };
