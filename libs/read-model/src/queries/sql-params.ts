import { MissingKeyError } from '../require-key';

// Positional parameters for hand-written SQL. `undefined` is refused rather than sent: node-postgres
// would bind it as NULL, and `username = NULL` silently matches nothing (or `IS NULL` logic goes
// wrong), so a missing key must be a loud programming error, never an empty result.

/** Collects values and hands out their `$n` placeholders. */
export class SqlParams {
  private readonly collected: unknown[] = [];

  /** Adds a value and returns its placeholder, e.g. `$3`. */
  add(value: unknown, what = `#${this.collected.length + 1}`): string {
    if (value === undefined) throw new MissingKeyError(what);
    this.collected.push(value);
    return `$${this.collected.length}`;
  }

  get values(): readonly unknown[] {
    return this.collected;
  }
}

/** Escapes LIKE wildcards so a username prefix matches literally. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `WHERE a AND b`, or nothing. */
export function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}
