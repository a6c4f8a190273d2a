// The slice of a pino logger the bus uses. Log lines carry counts, topics and error names, never
// record keys or values.
export interface BusLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: BusLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * What a log line says about an error: its class and kafkajs type, or its message. Never the
 * record: the bus does not put record content into errors.
 */
export function errorName(error: unknown): string {
  if (error instanceof Error) {
    const type = (error as { type?: unknown }).type;
    return typeof type === 'string' ? `${error.name}:${type}` : `${error.name}: ${error.message}`;
  }
  return 'unknown error';
}
