// The bus as authn sees it, with the plan's losses: for the request in flight, its decision
// event is delivered, silently lost after the bus accepted it (a broker losing data: the
// producer cannot know, only the sequence gap shows it), or refused as "buffer and spool full"
// (the producer's own drop, which it counts and reports). Everything else passes through.
import type { BusRecord, Publisher, PublishResult } from '@authtrail/event-bus';
import { TOPICS } from '@authtrail/events';
import type { PlannedDelivery } from '@authtrail/testing';

export interface PlannedDeliveryPublisher extends Publisher {
  /** Applies to the decision events published until the next call. */
  setDelivery(delivery: PlannedDelivery): void;
}

export function plannedDeliveryPublisher(inner: Publisher): PlannedDeliveryPublisher {
  let delivery: PlannedDelivery = 'delivered';
  let dropped = 0;
  return {
    setDelivery(next) {
      delivery = next;
    },
    publish(record: BusRecord): Promise<PublishResult> {
      if (record.topic === TOPICS.decisions && delivery === 'lost') return Promise.resolve({ dropped: false });
      if (record.topic === TOPICS.decisions && delivery === 'dropped') {
        dropped += 1;
        return Promise.resolve({ dropped: true });
      }
      return inner.publish(record);
    },
    flush: (timeoutMs) => inner.flush(timeoutMs),
    // The inner bus belongs to the caller; it is closed once, after every boot.
    close: () => Promise.resolve(),
    stats: () => {
      const stats = inner.stats();
      return { ...stats, dropped: stats.dropped + dropped };
    },
  };
}
