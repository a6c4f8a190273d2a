// What the composition root hands to every strategy factory. Small on purpose: a clock (tests
// move time) and a pino-compatible logger (strategies log reloads and file problems, never secrets).

/** The subset of pino's logger the strategies use: `logger.warn({ file }, 'message')`. */
export interface StrategyLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StrategyDeps {
  readonly now?: () => Date;
  readonly logger?: StrategyLogger;
}

export const silentLogger: StrategyLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export const systemClock = (): Date => new Date();
