// Fastify makes a child logger for every request. With pino `redact` configured, creating a
// child costs ~50 µs (the bindings go through the redaction machinery) — more than the whole
// cached authentication path. This factory creates the real child only when the request
// actually logs at an enabled level; until then a disabled level is a no-op and nothing is paid.
// A class rather than a Proxy: fastify probes seven methods of every request's logger, and a
// Proxy's traps made that ~2.5 µs a request (bench/profile).
import type { FastifyBaseLogger } from 'fastify';

type ChildArgs = Parameters<FastifyBaseLogger['child']>;
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

class LazyChildLogger implements FastifyBaseLogger {
  private created: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: ChildArgs[0],
    private readonly options: ChildArgs[1],
  ) {}

  get level(): FastifyBaseLogger['level'] {
    return (this.created ?? this.parent).level;
  }

  set level(level: FastifyBaseLogger['level']) {
    this.real().level = level;
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {
    // the `silent` level writes nothing
  }

  child(bindings: ChildArgs[0], options?: ChildArgs[1]): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }

  private write(level: Level, args: unknown[]): void {
    if (this.created === undefined && !isLevelEnabled(this.parent, level)) return;
    const logger = this.real();
    (logger[level] as (...line: unknown[]) => void).apply(logger, args);
  }

  private real(): FastifyBaseLogger {
    return (this.created ??= this.parent.child(this.bindings, this.options));
  }
}

function isLevelEnabled(logger: FastifyBaseLogger, level: Level): boolean {
  return (logger as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(level) ?? true;
}

export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: ChildArgs[0], options?: ChildArgs[1]): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options);
}
