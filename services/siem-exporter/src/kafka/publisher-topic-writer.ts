import type { Publisher } from '@authtrail/event-bus';
import type { TopicWriter } from './topic-writer.port';

/**
 * A TopicWriter over the bus Publisher, for the embedded single-process mode (in-process bus).
 * Use a publisher in `strict` mode: only then does "resolved" mean "stored".
 */
export function publisherTopicWriter(publisher: Publisher): TopicWriter {
  return {
    async write(records) {
      try {
        const results = await Promise.all(records.map((r) => publisher.publish(r)));
        return results.some((r) => r.dropped) ? { kind: 'unavailable', detail: 'the publisher dropped records' } : { kind: 'acknowledged' };
      } catch (error) {
        return { kind: 'unavailable', detail: (error as Error).message };
      }
    },
    async close() {
      // The publisher belongs to the caller.
    },
  };
}
