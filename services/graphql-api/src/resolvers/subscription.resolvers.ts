// `Subscription.decisions(filter)`: the live feed, filtered per subscriber in memory.
import type { DecisionView } from '@authtrail/read-model';
import { matchesDecision } from '../filters/decision-matcher';
import { toDecisionQueryFilter } from '../filters/to-query-filters';
import { lazyUsernameHasher } from '../filters/username-hashes';
import type { SubscriptionResolvers } from '../generated/resolvers.generated';
import type { GraphqlContext } from '../context';
import type { DecisionFeed } from '../feed/decision-feed';

/** Bounded per-subscriber queue: a slow client loses the oldest decisions, never the server's memory. */
const MAX_QUEUED = 1_000;

export function feedIterator(feed: DecisionFeed, accept: (row: DecisionView) => boolean): AsyncIterableIterator<{ decisions: DecisionView }> {
  const queue: DecisionView[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const unsubscribe = feed.subscribe((row) => {
    if (!accept(row)) return;
    queue.push(row);
    if (queue.length > MAX_QUEUED) queue.shift();
    wake?.();
  });
  const finish = (): IteratorResult<{ decisions: DecisionView }> => {
    done = true;
    unsubscribe();
    wake?.();
    return { done: true, value: undefined };
  };
  const iterator: AsyncIterableIterator<{ decisions: DecisionView }> = {
    async next() {
      while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const next = queue.shift();
      if (done || !next) return { done: true, value: undefined };
      return { done: false, value: { decisions: next } };
    },
    async return() {
      return finish();
    },
    async throw(error) {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

export const subscriptionResolvers: SubscriptionResolvers<GraphqlContext> = {
  decisions: {
    subscribe: (_root, { filter }, context) => {
      const query = toDecisionQueryFilter(filter, lazyUsernameHasher(context, 'filter.claimedUsername'));
      return feedIterator(context.services.feed, (row) => matchesDecision(query, row));
    },
  },
};
