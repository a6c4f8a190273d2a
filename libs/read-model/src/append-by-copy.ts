// The append path of every table whose rows arrive once and are rarely seen again (decisions,
// chain links): COPY straight into the table inside a savepoint, each row written once, no
// ON CONFLICT. A row already stored (a batch projected again) fails the COPY as a whole on the
// key; then the savepoint is rolled back and `whenDuplicate` takes the careful path.
import { withCopy, type CopyIn, type SqlRunner } from './data-source';

const UNIQUE_VIOLATION = '23505';

export interface CopyAppend<T> {
  /** Savepoint name, unique within the transaction's nesting. */
  readonly savepoint: string;
  /** `COPY table (columns) FROM STDIN`. */
  readonly sql: string;
  readonly text: string | Buffer;
  /** The result when the COPY went through: every row was new. */
  readonly allNew: () => T;
  /** Run after the rollback when a row was stored already: appends what is new, says what it was. */
  readonly whenDuplicate: (tx: SqlRunner, copy: CopyIn) => Promise<T>;
}

export async function appendByCopy<T>(db: SqlRunner, append: CopyAppend<T>): Promise<T> {
  return withCopy(db, async (tx, copy) => {
    await tx.query(`SAVEPOINT ${append.savepoint}`);
    try {
      await copy(append.sql, append.text);
      await tx.query(`RELEASE SAVEPOINT ${append.savepoint}`);
      return append.allNew();
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    }
    await tx.query(`ROLLBACK TO SAVEPOINT ${append.savepoint}`);
    const result = await append.whenDuplicate(tx, copy);
    await tx.query(`RELEASE SAVEPOINT ${append.savepoint}`);
    return result;
  });
}
