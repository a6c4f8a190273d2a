/**
 * Delay before retry number `attempt` (1-based): exponential from `initialMs`, capped at
 * `maxMs`, with "full jitter" (a random point in [cap/2, cap]) so that several exporters
 * recovering from the same outage do not hit the destination in lockstep. Pure: `random` in [0, 1).
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const cap = Math.min(maxMs, initialMs * 2 ** exponent);
  return Math.round(cap / 2 + (cap / 2) * random);
}

/** Resolves after `ms`, or rejects with `signal.reason` as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
