// What a connection resolver returns: the page, and a count that runs only when selected
// (COUNT over a large filter costs more than the page itself).

export interface EdgeModel<T> {
  readonly cursor: string;
  readonly node: T;
}

export interface ConnectionModel<T> {
  readonly edges: readonly EdgeModel<T>[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly totalCount: () => Promise<number>;
}

export function toConnection<T>(
  rows: readonly T[],
  hasNextPage: boolean,
  cursorOf: (row: T) => string,
  count: () => Promise<number>,
): ConnectionModel<T> {
  const edges = rows.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: count,
  };
}
