// Keyset pagination: pages continue after the (time, key) of the last row handed out, in
// descending order. Never OFFSET: page 1000 costs what page 1 costs, and rows inserted while a
// client pages do not shift later pages.

export interface KeysetPosition {
  readonly time: Date;
  readonly key: string;
}

export interface PageRequest {
  /** Rows wanted; the query fetches one more to know whether there is a next page. */
  readonly first: number;
  readonly after?: KeysetPosition;
}

export interface Page<T> {
  readonly rows: readonly T[];
  readonly hasNextPage: boolean;
}

/** Trims the probe row fetched beyond `first`. */
export function toPage<T>(rows: readonly T[], first: number): Page<T> {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}

export function assertPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 0) throw new RangeError(`page size must be a non-negative integer, got ${first}`);
}
