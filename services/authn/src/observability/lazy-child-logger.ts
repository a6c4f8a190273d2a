// Fastify makes a child logger for every request. With pino `redact` configured, creating a
// child costs ~50 µs (the bindings go through the redaction machinery) — more than the whole
// cached authentication path. This factory creates the real child only when the request
// actually logs at an enabled level; until then a disabled level is a no-op and nothing is paid.
import type { FastifyBaseLogger } from 'fastify';

const LEVEL_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = () => undefined;

type ChildArgs = Parameters<FastifyBaseLogger['child']>;

export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: ChildArgs[0], options?: ChildArgs[1]): FastifyBaseLogger {
  let child: FastifyBaseLogger | undefined;
  const real = (): FastifyBaseLogger => (child ??= logger.child(bindings, options));
  return new Proxy(logger, {
    get(_target, property, _receiver) {
      if (child === undefined && typeof property === 'string' && LEVEL_METHODS.has(property)) {
        const enabled = (logger as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(property) ?? true;
        if (!enabled) return noop;
        // Enabled: the child is created when the line is actually written.
        return (...args: unknown[]) => (real() as unknown as Record<string, (...a: unknown[]) => unknown>)[property]?.(...args);
      }
      if (child === undefined && property === 'level') return logger.level;
      // Fastify checks that the request logger has a `child` method: answer without creating one.
      if (child === undefined && property === 'child') return (b: ChildArgs[0], o?: ChildArgs[1]) => real().child(b, o);
      const target = real() as unknown as Record<PropertyKey, unknown>;
      const value = target[property];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
