// What the composition root hands to every strategy factory. Small on purpose: a clock (tests
// move time), a pino-compatible logger (strategies log reloads and file problems, never secrets)
// and the service's credential fingerprint.
import type { FingerprintFunctions } from './request-fingerprints';

/** The subset of pino's logger the strategies use: `logger.warn({ file }, 'message')`. */
export interface StrategyLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StrategyDeps {
  readonly now?: () => Date;
  readonly logger?: StrategyLogger;
  /**
   * The service's credential fingerprint (HMAC-SHA256 under its writing key). A secret-table
   * strategy keys its table by it, so the HMAC the request computes once (request-fingerprints.ts)
   * also finds the entry. Without it the strategy hashes under a random key of its own.
   */
  readonly fingerprints?: FingerprintFunctions;
}

export const silentLogger: StrategyLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export const systemClock = (): Date => new Date();
