import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, EntityManager } from 'typeorm';
import { ENTITIES } from './entities';
import { CreateReadModels1764374400000 } from './migrations/1764374400000-CreateReadModels';
import { StoreDecisionPayloadAsJson1795910400000 } from './migrations/1795910400000-StoreDecisionPayloadAsJson';
import { AddProducerBootsAndUsernameHashes1796515200000 } from './migrations/1796515200000-AddProducerBootsAndUsernameHashes';
import { OrderControlEventsAndLifts1797120000000 } from './migrations/1797120000000-OrderControlEventsAndLifts';
import { AddDecisionCaller1797724800000 } from './migrations/1797724800000-AddDecisionCaller';
import { AddIntegrityReadModels1798329600000 } from './migrations/1798329600000-AddIntegrityReadModels';
import { PartitionDecisionsByTime1798934400000 } from './migrations/1798934400000-PartitionDecisionsByTime';
import { RollUpFailuresByHourAndDay1799539200000 } from './migrations/1799539200000-RollUpFailuresByHourAndDay';
import { SlimIntegrityLinks1800144000000 } from './migrations/1800144000000-SlimIntegrityLinks';

/** Every migration, oldest first. New ones are appended, never edited once released. */
const MIGRATIONS = [
  CreateReadModels1764374400000,
  StoreDecisionPayloadAsJson1795910400000,
  AddProducerBootsAndUsernameHashes1796515200000,
  OrderControlEventsAndLifts1797120000000,
  AddDecisionCaller1797724800000,
  AddIntegrityReadModels1798329600000,
  PartitionDecisionsByTime1798934400000,
  RollUpFailuresByHourAndDay1799539200000,
  SlimIntegrityLinks1800144000000,
];

export interface DataSourceOptions {
  /** Pool size; default 10. */
  readonly poolSize?: number;
  readonly applicationName?: string;
}

/**
 * A TypeORM data source for the read models (not yet initialized). Schema changes come only from
 * the migrations (`runMigrations`); `synchronize` stays off so no start-up ever alters tables.
 */
export function createDataSource(url: string, options: DataSourceOptions = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [...ENTITIES],
    migrations: MIGRATIONS,
    migrationsTableName: 'read_model_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName ?? 'authtrail',
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 },
  });
}

/** An initialized data source; the handle every query function takes. */
export type ReadModelDb = DataSource;

/** Anything that can run SQL: the data source or a transaction handed out by `inTransaction`. */
export interface SqlRunner {
  query<T = unknown>(sql: string, parameters?: readonly unknown[]): Promise<T>;
}

/** Opens (initializes) a data source for `url`. */
export async function openReadModel(url: string, options: DataSourceOptions = {}): Promise<ReadModelDb> {
  const dataSource = createDataSource(url, options);
  await dataSource.initialize();
  return dataSource;
}

export interface TransactionOptions {
  /**
   * `synchronous_commit = off` for this transaction: COMMIT returns before the WAL is flushed.
   * A server crash may then lose the last transactions, never part of one. Safe only where the
   * transaction carries its own checkpoint (the projector): what is lost is re-read from Kafka.
   */
  readonly asyncCommit?: boolean;
}

/** Runs `work` in one transaction: all of it commits, or none of it does. */
export async function inTransaction<T>(db: ReadModelDb, work: (tx: SqlRunner) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  return db.transaction(async (manager) => {
    if (options.asyncCommit) await manager.query('SET LOCAL synchronous_commit TO off');
    return work(manager as unknown as SqlRunner);
  });
}

export type CopyIn = (sql: string, text: string | Buffer) => Promise<void>;

/**
 * Runs `work` with a COPY … FROM STDIN function on the connection of `db`: the transaction's
 * own connection when `db` is one, else a new transaction. TypeORM has no COPY, so this reaches
 * the pg client under the query runner; it stays inside this lib.
 */
export async function withCopy<T>(db: SqlRunner, work: (tx: SqlRunner, copy: CopyIn) => Promise<T>): Promise<T> {
  if (db instanceof DataSource) return db.transaction((manager) => withCopy(manager as unknown as SqlRunner, work));
  const runner = db instanceof EntityManager ? db.queryRunner : undefined;
  if (!runner) throw new TypeError('withCopy needs a data source or a transaction from inTransaction');
  const client = (await runner.connect()) as PoolClient;
  const copy: CopyIn = (sql, text) => pipeline(Readable.from([text]), client.query(copyFrom(sql)));
  return work(db, copy);
}
