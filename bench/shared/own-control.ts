// An authn instance whose policy, revocations and throttle state come from a control topic of
// its own (an in-process bus), while its other records (the decisions) go through `publisher`:
// instances of one bench run each follow their own policy, as production authn follows the
// control topic (libs/authentication's authentication-root: with a subscriber).
import { createInProcessBus, type Publisher, type Subscriber } from '@authtrail/event-bus';
import { TOPICS } from '@authtrail/events';

export interface OwnControl {
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  close(): Promise<void>;
}

export function ownControl(publisher: Publisher): OwnControl {
  const control = createInProcessBus({ persistTopics: [] });
  return {
    publisher: {
      publish: (record) => (record.topic === TOPICS.control ? control.publisher.publish(record) : publisher.publish(record)),
      flush: (timeoutMs) => publisher.flush(timeoutMs),
      close: () => publisher.close(),
      stats: () => publisher.stats(),
    },
    subscriber: control.subscriber,
    close: () => control.close(),
  };
}
