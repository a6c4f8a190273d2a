// Live decisions for `Subscription.decisions` from one source per API instance: one connection
// LISTENs for the projector's NOTIFY, sent from the batch transaction that appended the decisions
// (so it arrives once the rows are committed), and every subscriber is fed from it. Rows are read
// once per notification (several coalesced), not once per subscriber or per poll.
//
// Exactly once, also across a lost connection: every decision id handed out (or skipped because
// nobody listened) is remembered with its time for `lookbackMs` behind the newest decision
// delivered (the watermark). After a reconnect the feed LISTENs first, then reads the window
// [watermark - lookback, now] and delivers what it has not seen: committed before the new LISTEN,
// it is in that read; committed after, its notification arrives and finds it seen. As with the
// poller before, decisions more than `lookbackMs` older than the watermark are not streamed (a
// spool replayed hours later, a replay of history); they are in `decisions` as always.
import { type DecisionView, findDecisions, type QueryRunnerLike } from '@authtrail/read-model';
import type { DecisionFeed } from './decision-feed';
import { DECISIONS_PROJECTED_CHANNEL, type DecisionsProjected, parseDecisionsProjected } from './decisions-projected.notification';
import type { ListenConnection, ListenConnector } from './listen-connection';

export interface ListeningFeedOptions {
  readonly db: QueryRunnerLike;
  readonly connect: ListenConnector;
  /** How far behind the watermark a decision is still streamed (and remembered). */
  readonly lookbackMs?: number;
  /** Reconnect delays after a loss, in order; the last repeats. */
  readonly retryDelaysMs?: readonly number[];
  /** A ping this often notices a connection that died without a word. */
  readonly heartbeatMs?: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

export interface ListeningFeedState {
  readonly subscribers: number;
  /** LISTENing now. */
  readonly listening: boolean;
  /** Connections opened after a loss. */
  readonly reconnects: number;
  /** Decisions delivered by the read after a reconnect (their notification was lost with the connection). */
  readonly caughtUp: number;
}

export interface ListeningDecisionFeed extends DecisionFeed {
  /** Resolves once the connection LISTENs (the first time). */
  listening(): Promise<void>;
  state(): ListeningFeedState;
}

const PAGE = 500;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

type Work = { readonly kind: 'notified'; readonly notice: DecisionsProjected } | { readonly kind: 'catch-up' };
type Step = { readonly kind: 'notified'; readonly notices: DecisionsProjected[] } | { readonly kind: 'catch-up' };

/** Consecutive notifications become one step: one range read for all of them. Order is kept. */
function inSteps(work: readonly Work[]): Step[] {
  const steps: Step[] = [];
  for (const item of work) {
    const last = steps.at(-1);
    if (item.kind === 'catch-up') steps.push(item);
    else if (last?.kind === 'notified') last.notices.push(item.notice);
    else steps.push({ kind: 'notified', notices: [item.notice] });
  }
  return steps;
}

export function createListeningDecisionFeed(options: ListeningFeedOptions): ListeningDecisionFeed {
  const lookbackMs = options.lookbackMs ?? 10_000;
  const retryDelaysMs = options.retryDelaysMs ?? [100, 500, 1_000, 2_000, 5_000];
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const now = options.now ?? (() => new Date());
  const report = (error: unknown): void => options.onError?.(error);
  const listeners = new Set<(decision: DecisionView) => void>();
  const seen = new Map<string, number>();
  let watermark = 0;
  // Catch-up reads start no earlier than the first LISTEN: older rows were there before this feed.
  let floor = Number.POSITIVE_INFINITY;
  const queue: Work[] = [];
  let draining: Promise<void> | undefined;
  let running: Promise<void> | undefined;
  let connection: ListenConnection | undefined;
  let isListening = false;
  let wakeLoop: (() => void) | undefined;
  let closed = false;
  let reconnects = 0;
  let caughtUp = 0;
  let markListening: () => void = () => undefined;
  const firstListen = new Promise<void>((resolve) => (markListening = resolve));

  const lowerBound = (): number => Math.max(watermark - lookbackMs, floor);

  /** Marks `id` handed out; true when it was not yet. */
  const remember = (id: string, time: number): boolean => {
    if (seen.has(id)) return false;
    seen.set(id, time);
    // Never ahead of this instance's clock: one decision stamped in the future must not make every other one "late".
    watermark = Math.max(watermark, Math.min(time, now().getTime()));
    return true;
  };

  /** Forgets ids no catch-up can read again. */
  const forgetOld = (): void => {
    const horizon = watermark - lookbackMs;
    for (const [id, time] of seen) if (time < horizon) seen.delete(id);
  };

  /** Hands out the rows not seen yet, oldest first; how many that was. */
  const deliver = (rows: readonly DecisionView[]): number => {
    let delivered = 0;
    const ordered = [...rows].sort((a, b) => a.time.getTime() - b.time.getTime() || (a.id < b.id ? -1 : 1));
    for (const row of ordered) {
      if (!remember(row.id, row.time.getTime())) continue;
      for (const listener of listeners) listener(row);
      delivered += 1;
    }
    forgetOld();
    return delivered;
  };

  /**
   * Rows of [from, to) newest first, page by page, keeping those `want` takes, until `done`. Pages
   * start at `firstPage` rows and double: announced decisions are mostly the newest rows.
   */
  const collect = async (from: number, to: number | undefined, firstPage: number, want: (row: DecisionView) => boolean, done: () => boolean): Promise<DecisionView[]> => {
    const kept: DecisionView[] = [];
    let after: { time: Date; key: string } | undefined;
    for (let size = Math.min(PAGE, firstPage); ; size = Math.min(PAGE, size * 2)) {
      const page = await findDecisions(options.db, { from: new Date(from), ...(to === undefined ? {} : { to: new Date(to) }) }, { first: size, ...(after ? { after } : {}) });
      for (const row of page.rows) if (want(row)) kept.push(row);
      const last = page.rows.at(-1);
      if (!page.hasNextPage || !last || done()) return kept;
      after = { time: last.time, key: last.id };
    }
  };

  const handleNotified = async (notices: readonly DecisionsProjected[]): Promise<void> => {
    const wanted = new Set<string>();
    let newest = 0;
    for (const notice of notices) {
      for (const id of notice.ids) if (!seen.has(id)) wanted.add(id);
      newest = Math.max(newest, notice.newest.getTime());
    }
    if (wanted.size === 0) return;
    if (listeners.size === 0) {
      // Nobody to deliver to: remember them (at the batch's newest time, no earlier than theirs),
      // so a later catch-up does not take them for missed.
      for (const id of wanted) remember(id, newest);
      forgetOld();
      return;
    }
    const from = Math.max(watermark - lookbackMs, 0);
    if (newest + 1 <= from) return;
    let found = 0;
    const isWanted = (row: DecisionView): boolean => {
      if (!wanted.has(row.id)) return false;
      found += 1;
      return true;
    };
    deliver(await collect(from, newest + 1, wanted.size + 16, isWanted, () => found >= wanted.size));
  };

  const catchUp = async (): Promise<void> => {
    const from = lowerBound();
    if (!Number.isFinite(from)) return;
    const rows = await collect(from, undefined, PAGE, (row) => !seen.has(row.id), () => false);
    if (listeners.size === 0) {
      for (const row of rows) remember(row.id, row.time.getTime());
      forgetOld();
      return;
    }
    caughtUp += deliver(rows);
  };

  /** One worker: notifications and catch-ups are handled in the order they came. */
  const drain = (): void => {
    if (draining) return;
    draining = (async () => {
      while (queue.length > 0 && !closed) {
        for (const step of inSteps(queue.splice(0, queue.length))) {
          try {
            if (step.kind === 'catch-up') await catchUp();
            else await handleNotified(step.notices);
          } catch (error) {
            report(error);
            // The rows of a failed read are not lost: a catch-up reads the window again, later.
            retryLater();
          }
        }
      }
    })().finally(() => {
      draining = undefined;
      if (queue.length > 0 && !closed) drain();
    });
  };

  let retryTimer: NodeJS.Timeout | undefined;
  const retryLater = (): void => {
    if (retryTimer || closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!closed) enqueue({ kind: 'catch-up' });
    }, retryDelaysMs[0] ?? 100);
    retryTimer.unref();
  };

  const enqueue = (work: Work): void => {
    queue.push(work);
    drain();
  };

  const onNotification = (channel: string, payload: string): void => {
    if (channel !== DECISIONS_PROJECTED_CHANNEL) return;
    try {
      enqueue({ kind: 'notified', notice: parseDecisionsProjected(payload) });
    } catch (error) {
      report(error);
    }
  };

  const connectOnce = async (isReconnect: boolean): Promise<{ readonly lost: Promise<unknown> }> => {
    let lose: (error: unknown) => void = () => undefined;
    const lost = new Promise<unknown>((resolve) => (lose = resolve));
    const opened = await options.connect({ onNotification, onLost: (error) => lose(error) });
    connection = opened;
    if (closed) return { lost };
    const listenFrom = now().getTime();
    await opened.listen(DECISIONS_PROJECTED_CHANNEL);
    if (isReconnect) {
      reconnects += 1;
      enqueue({ kind: 'catch-up' });
    } else {
      floor = Math.min(floor, listenFrom);
    }
    isListening = true;
    markListening();
    return { lost };
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    let everListened = false;
    while (!closed) {
      try {
        const { lost } = await connectOnce(everListened);
        everListened = true;
        failures = 0;
        // Until the connection is lost: ping now and then (a dead peer may never say so).
        let gone = false;
        void lost.then((error) => {
          gone = true;
          if (!closed) report(error);
          wakeLoop?.();
        });
        while (!gone && !closed) {
          await new Promise<void>((resolve) => {
            wakeLoop = resolve;
            setTimeout(resolve, heartbeatMs).unref();
          });
          if (gone || closed) break;
          await connection?.ping().catch(() => (gone = true));
        }
      } catch (error) {
        if (!closed) report(error);
      }
      const dropped = connection;
      connection = undefined;
      isListening = false;
      await dropped?.close();
      if (closed) break;
      await sleep(retryDelaysMs[Math.min(failures, retryDelaysMs.length - 1)] ?? 1_000);
      failures += 1;
    }
  };

  return {
    subscribe(listener) {
      if (listeners.size === 0) watermark = Math.max(watermark, now().getTime());
      listeners.add(listener);
      running ??= run();
      return () => {
        listeners.delete(listener);
      };
    },
    listening() {
      running ??= run();
      return firstListen;
    },
    state() {
      return { subscribers: listeners.size, listening: isListening && !closed, reconnects, caughtUp };
    },
    async close() {
      closed = true;
      listeners.clear();
      clearTimeout(retryTimer);
      wakeLoop?.();
      await connection?.close();
      await running;
      await draining;
    },
  };
}
