// kafkajs 2.2.4's RequestQueue (one per broker connection) checks its pending requests after every
// response and re-arms a timer for the next check even when no request is pending and no throttle
// is in force: the delay is then `throttledUntil (-1) − Date.now()`, which Node clamps to 1 ms (with
// a TimeoutNegativeWarning on stderr), and each check arms the next. So from its first response a
// connection runs a check every millisecond for as long as it lives (kafkajs issues #1556, #1704,
// #1751, open upstream): ≈ 900 timer runs and 5 % of a core a second per idle connection here.
// Here a check is armed only while a request waits for it; a request queued later arms its own.
// Requests held back by a client-side throttle or by the in-flight limit are checked as before.

/** The members of kafkajs' RequestQueue the check uses. */
export interface RequestQueueInternals {
  pending: readonly unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs' CHECK_PENDING_REQUESTS_INTERVAL: the next look at requests waiting with no throttle in force. */
export const PENDING_RECHECK_MS = 10;

function scheduleCheckWhilePending(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId !== null || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : PENDING_RECHECK_MS,
  );
}

/** Makes every queue of this RequestQueue class arm its check only while a request is pending. */
export function checkOnlyWhilePending(RequestQueue: { prototype: RequestQueueInternals }): void {
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckWhilePending;
}
