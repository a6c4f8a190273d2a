// Boot against a Kafka that may not be up yet (compose and Kubernetes start everything at once,
// a broker restarts during a rollout): connecting is retried with exponential backoff and one
// log line per failed attempt that names the next delay, until Kafka answers or the bus closes.
// Only retriable failures are retried; a refusal (authorisation, invalid topic) fails at once.
// kafkajs' own retries stay short (kafka-bus.ts), so each attempt fails within seconds.
import { type BusLogger, errorName } from '../bus.logger';

export interface BootRetrySettings {
  /** Delay after the first failed attempt; doubled after each further one. */
  readonly initialDelayMs: number;
  /** Upper bound of the delay between two attempts. */
  readonly maxDelayMs: number;
}

export const BOOT_RETRY_DEFAULTS: BootRetrySettings = { initialDelayMs: 500, maxDelayMs: 10_000 };

/** The bus was closed while it waited for Kafka: nothing was connected. */
export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';
  constructor(what: string) {
    super(`the event bus was closed before Kafka answered (${what})`);
  }
}

/** The delay before attempt `failed + 1`: initial × 2^(failed−1), capped, with up to 20 % jitter so replicas do not retry in step. */
export function bootRetryDelay(settings: BootRetrySettings, failed: number, random: () => number = Math.random): number {
  const exponential = settings.initialDelayMs * 2 ** Math.min(failed - 1, 30);
  const capped = Math.min(settings.maxDelayMs, exponential);
  return Math.round(capped * (0.8 + 0.2 * random()));
}

export interface BootRetryOptions {
  readonly settings: BootRetrySettings;
  readonly logger: BusLogger;
  /** Aborted when the bus closes: the wait ends at once with BusClosedError. */
  readonly closing: AbortSignal;
}

/** Runs `attempt` until it resolves; `what` names the step in the log lines (`subscribe authtrail.control.v1`). */
export async function untilKafkaAnswers<T>(what: string, attempt: () => Promise<T>, options: BootRetryOptions): Promise<T> {
  for (let failed = 0; ; ) {
    if (options.closing.aborted) throw new BusClosedError(what);
    try {
      const result = await attempt();
      if (failed > 0) options.logger.info({ step: what, attempts: failed + 1 }, `Kafka answered (${what}) after ${failed + 1} attempts`);
      return result;
    } catch (error) {
      if (options.closing.aborted) throw new BusClosedError(what);
      // Refusals (not authorised, invalid topic) do not go away by waiting: they fail the boot.
      if (!isRetriable(error)) throw error;
      failed += 1;
      const nextDelayMs = bootRetryDelay(options.settings, failed);
      options.logger.warn(
        { step: what, attempt: failed, nextDelayMs, error: errorName(error) },
        `Kafka unreachable (${what}): attempt ${failed} failed, retrying in ${(nextDelayMs / 1000).toFixed(1)} s`,
      );
      await sleep(nextDelayMs, options.closing);
    }
  }
}

/** kafkajs' own rule (its consumer restarts on these): retries exhausted, or a retriable root cause (connection refused, no leader yet). */
export function isRetriable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'KafkaJSNumberOfRetriesExceeded') return true;
  let root: unknown = error;
  while (root instanceof Error && root.cause !== undefined) root = root.cause;
  return (root as { retriable?: unknown }).retriable === true;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
