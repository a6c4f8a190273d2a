import type { Logger } from 'pino';
import { backoffDelay, sleep } from './backoff';
import type { SiemMetrics } from './siem.metrics';
import type { Sink, SinkItem } from './sinks/sink.port';

export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly random: () => number;
}

/**
 * Delivers `items` to one sink until it acknowledged them, retrying with jittered backoff while
 * it is unavailable (for as long as it takes: at-least-once). Returns the indexes the sink
 * refused for good. Rejects only when `signal` aborts (shutdown): the batch is then not committed.
 */
export async function deliverUntilAcknowledged(
  sink: Sink,
  items: readonly SinkItem[],
  policy: RetryPolicy,
  metrics: SiemMetrics,
  logger: Logger,
  signal: AbortSignal,
): Promise<readonly { index: number; detail: string }[]> {
  for (let attempt = 1; ; attempt += 1) {
    signal.throwIfAborted();
    const outcome = await sink.deliver(items).catch((error: Error) => ({ kind: 'unavailable' as const, detail: `sink threw: ${error.message}` }));
    switch (outcome.kind) {
      case 'acknowledged':
        if (attempt > 1) logger.info({ sink: sink.name, attempts: attempt }, 'sink recovered');
        metrics.delivered.inc({ sink: sink.name }, items.length);
        metrics.sinkUp.set({ sink: sink.name }, 1);
        return [];
      case 'refused':
        metrics.delivered.inc({ sink: sink.name }, items.length - outcome.refused.length);
        metrics.sinkUp.set({ sink: sink.name }, 1);
        return outcome.refused;
      case 'unavailable': {
        metrics.retried.inc({ sink: sink.name });
        metrics.sinkUp.set({ sink: sink.name }, 0);
        const delay = backoffDelay(attempt, policy.initialDelayMs, policy.maxDelayMs, policy.random());
        // First failure, then every 10th: an outage of hours must not flood the log.
        if (attempt === 1 || attempt % 10 === 0) logger.warn({ sink: sink.name, attempt, retryInMs: delay, detail: outcome.detail }, 'sink unavailable; retrying');
        await sleep(delay, signal);
        break;
      }
      default: {
        const unreachable: never = outcome;
        return unreachable;
      }
    }
  }
}
