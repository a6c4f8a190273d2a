import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { CreateReadModels1764374400000 } from './migrations/1764374400000-CreateReadModels';

/** Every migration, oldest first. New ones are appended, never edited once released. */
const MIGRATIONS = [CreateReadModels1764374400000];

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

/** Runs `work` in one transaction: all of it commits, or none of it does. */
export async function inTransaction<T>(db: ReadModelDb, work: (tx: SqlRunner) => Promise<T>): Promise<T> {
  return db.transaction((manager) => work(manager as unknown as SqlRunner));
}
