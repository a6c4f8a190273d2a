// What every query function takes: something that runs parameterised SQL. The TypeORM data
// source satisfies it, so does a read session (one read-only transaction with a statement
// timeout) and a counting wrapper in tests.
import type { DataSource } from 'typeorm';
import { MissingKeyError } from '../require-key';

export interface QueryRunnerLike {
  query<T = unknown>(sql: string, parameters?: readonly unknown[]): Promise<T>;
}

/** Runs `sql` and returns its rows; refuses undefined parameters (see sql-params.ts). */
export async function selectRows<T>(db: QueryRunnerLike, sql: string, params: readonly unknown[]): Promise<readonly T[]> {
  params.forEach((value, index) => {
    if (value === undefined) throw new MissingKeyError(`$${index + 1}`);
  });
  return db.query<T[]>(sql, params as unknown[]);
}

export interface ReadSessionOptions {
  /** Postgres `statement_timeout` for every statement of the session, in milliseconds. */
  readonly statementTimeoutMs: number;
}

/**
 * One read-only transaction on one pooled connection, opened lazily on the first query. Every
 * query of one GraphQL operation sees the same snapshot (a page and its totalCount agree), and
 * `statement_timeout` is set with SET LOCAL so it never leaks to connections the projector uses
 * when both share the data source (`npm start`).
 */
export interface ReadSession extends QueryRunnerLike {
  /** Commits (read-only: nothing to keep) and returns the connection to the pool. */
  release(): Promise<void>;
}

export function openReadSession(dataSource: DataSource, options: ReadSessionOptions): ReadSession {
  const timeout = Math.max(1, Math.floor(options.statementTimeoutMs));
  let opened: Promise<ReturnType<DataSource['createQueryRunner']>> | undefined;
  let released = false;

  const open = (): Promise<ReturnType<DataSource['createQueryRunner']>> => {
    opened ??= (async () => {
      const runner = dataSource.createQueryRunner('slave');
      await runner.connect();
      // Simple-protocol multi-statement: one round trip. `timeout` is an integer we computed.
      await runner.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = ${timeout}`);
      return runner;
    })();
    return opened;
  };

  return {
    async query<T>(sql: string, parameters?: readonly unknown[]): Promise<T> {
      if (released) throw new Error('read session already released');
      const runner = await open();
      return runner.query(sql, parameters as unknown[]) as Promise<T>;
    },
    async release(): Promise<void> {
      if (released) return;
      released = true;
      if (!opened) return;
      const runner = await opened.catch(() => undefined);
      if (!runner) return;
      try {
        await runner.query('ROLLBACK');
      } finally {
        await runner.release();
      }
    },
  };
}
