// Live decisions for `Subscription.decisions`, "as they are projected": one poller per server
// reads new rows of the `decision` table (the (time, id) primary key, so each poll is one index
// range scan) and fans them out to subscribers, who filter in memory. It runs only while someone
// is subscribed. Events that arrive with a time older than `lookbackMs` behind the newest one
// (a spool replayed hours later) are not streamed; they are in `decisions` as always.
import { type DecisionView, findDecisionsSince, type QueryRunnerLike } from '@authtrail/read-model';

export interface DecisionFeed {
  /** Calls `listener` for every decision projected after this call; returns the unsubscribe. */
  subscribe(listener: (decision: DecisionView) => void): () => void;
  close(): Promise<void>;
}

export interface PollingFeedOptions {
  readonly db: QueryRunnerLike;
  readonly intervalMs?: number;
  /** How far behind the newest seen time a late row is still streamed. */
  readonly lookbackMs?: number;
  readonly batchSize?: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

export function createPollingDecisionFeed(options: PollingFeedOptions): DecisionFeed {
  const intervalMs = options.intervalMs ?? 500;
  const lookbackMs = options.lookbackMs ?? 10_000;
  const batchSize = options.batchSize ?? 1_000;
  const now = options.now ?? (() => new Date());
  const listeners = new Set<(decision: DecisionView) => void>();
  // Ids streamed within the lookback window, so overlapping polls deliver each row once.
  const seen = new Map<string, number>();
  let watermark = 0;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let closed = false;
  // The first poll after (re)starting only marks what is already there as seen: subscribers get
  // decisions projected after they subscribed, not the last `lookbackMs` of history.
  let primed = false;

  const poll = async (): Promise<void> => {
    const deliver = primed;
    const since = new Date(watermark - lookbackMs);
    for (let round = 0; round < 10; round += 1) {
      const rows = await findDecisionsSince(options.db, since, batchSize);
      const fresh = rows.filter((r) => !seen.has(r.id));
      for (const row of fresh) {
        seen.set(row.id, row.time.getTime());
        watermark = Math.max(watermark, row.time.getTime());
        if (deliver) for (const listener of listeners) listener(row);
      }
      if (rows.length < batchSize || fresh.length === 0) break;
      const last = rows.at(-1);
      if (last) since.setTime(last.time.getTime());
    }
    for (const [id, time] of seen) if (time < watermark - lookbackMs) seen.delete(id);
    primed = true;
  };

  const schedule = (): void => {
    if (closed || listeners.size === 0) return;
    timer = setTimeout(() => {
      polling = poll()
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => {
          polling = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  };

  return {
    subscribe(listener) {
      const first = listeners.size === 0;
      listeners.add(listener);
      if (first && !timer && !polling) {
        // Start from "now": a new subscriber sees decisions made after it subscribed.
        watermark = Math.max(watermark, now().getTime());
        seen.clear();
        primed = false;
        polling = poll()
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            polling = undefined;
            schedule();
          });
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearTimeout(timer);
          timer = undefined;
        }
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      if (timer) clearTimeout(timer);
      await polling;
    },
  };
}
