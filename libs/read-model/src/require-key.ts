/** Thrown when a query function is called without its key: a bug in the caller, never data. */
export class MissingKeyError extends Error {
  readonly code = 'MISSING_KEY' as const;
  constructor(readonly key: string) {
    super(`read-model query called without ${key}`);
    this.name = 'MissingKeyError';
  }
}

/** Refuses undefined, null and empty keys, so a missing filter can never mean "everything". */
export function requireKey<T>(name: string, value: T | undefined | null): T {
  if (value === undefined || value === null || (typeof value === 'string' && value.length === 0)) {
    throw new MissingKeyError(name);
  }
  return value;
}
