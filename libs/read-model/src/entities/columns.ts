import type { EntitySchemaColumnOptions } from 'typeorm';

// One shape per stored thing. Each entity file declares the row type once (the interface, with
// the values readers get: `Date` for timestamptz, `number` for counts) and ONE column map that
// must name every field of it (`satisfies TableColumns<T>`: a missing or extra field does not
// compile). The TypeORM EntitySchema, the migrations' no-drift test, the projector's writes
// (COPY / json_to_recordset column lists) and the queries' `AS "camelCase"` select lists are all
// derived from that map, so writer and reader cannot disagree on a column.

/** Every field of `T` mapped to its column; nothing more, nothing less. */
export type TableColumns<T> = { readonly [K in keyof T]-?: EntitySchemaColumnOptions };

type WrittenValue<V> = V extends Date ? string : V;

/**
 * A row as the projector writes it: every `Date` of `T` is a canonical RFC 3339 string (UTC,
 * millisecond precision), the form JSON and COPY carry and the projector compares.
 */
export type Written<T> = { readonly [K in keyof T]: WrittenValue<T[K]> };
