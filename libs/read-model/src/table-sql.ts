// SQL fragments derived from an entity's column map (entities/columns.ts), so the column names
// and types in the projector's writes and the queries' select lists come from the one place the
// TypeORM entity comes from. Only names from those maps are interpolated, never values.
import type { EntitySchemaColumnOptions } from 'typeorm';

type ColumnMap<K extends string> = { readonly [P in K]: EntitySchemaColumnOptions };

/** The snake_case column of a field. */
export function columnOf<K extends string>(columns: ColumnMap<K>, key: K): string {
  return columns[key].name ?? key;
}

function sqlType(column: EntitySchemaColumnOptions): string {
  return `${String(column.type)}${column.array ? '[]' : ''}`;
}

/**
 * `col AS "field"` for each field, read as the entity interface types it: inet through host()
 * (no /32 suffix), bigint as float8 (a JS number: counts and sequences stay far below 2^53).
 */
export function selectList<K extends string>(columns: ColumnMap<K>, keys: readonly K[], table?: string): string {
  return keys
    .map((key) => {
      const column = columns[key];
      const name = `${table ? `${table}.` : ''}${columnOf(columns, key)}`;
      const read = column.type === 'inet' ? `host(${name})` : column.type === 'bigint' ? `${name}::float8` : name;
      return `${read} AS "${key}"`;
    })
    .join(', ');
}

export interface Recordset {
  /** `a, b_c` — the target columns of an INSERT. */
  readonly columns: string;
  /** `x.a, x."bC"` — the same fields from the recordset. */
  readonly values: string;
  /** `x(a text, "bC" timestamptz)` — the json_to_recordset column definition. */
  readonly definition: string;
}

/** The pieces of `INSERT INTO t (columns) SELECT values FROM json_to_recordset($1::json) AS definition`. */
export function recordsetOf<K extends string>(columns: ColumnMap<K>, keys: readonly K[]): Recordset {
  return {
    columns: keys.map((k) => columnOf(columns, k)).join(', '),
    values: keys.map((k) => `x."${k}"`).join(', '),
    definition: `x(${keys.map((k) => `"${k}" ${sqlType(columns[k])}`).join(', ')})`,
  };
}
