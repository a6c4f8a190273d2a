import type { Publisher } from '@authtrail/event-bus';
import type { DeadLetterSink } from './dead-letter';

/**
 * Dead letters through a bus publisher. Give it a strict-mode publisher: then publish resolves
 * only on Kafka's ack, and a dead letter is durable before the offset moves past its record.
 */
export function publisherDeadLetters(publisher: Publisher): DeadLetterSink {
  return async (records) => {
    const results = await Promise.all(records.map((r) => publisher.publish(r)));
    if (results.some((r) => r.dropped)) throw new Error('the dead-letter topic refused a record');
  };
}
