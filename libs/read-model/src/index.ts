// Public surface of the read models: a data source, migrations, and narrow query functions.
// TypeORM stays inside this lib; no Repository is exported.
export { createDataSource, inTransaction, openReadModel } from './data-source';
export type { DataSourceOptions, ReadModelDb, SqlRunner, TransactionOptions } from './data-source';
export { revertMigrations, runMigrations } from './migrate';
export { startEmbeddedPostgres } from './embedded-postgres';
export type { EmbeddedPostgresOptions, RunningEmbeddedPostgres } from './embedded-postgres';
export * from './projection.rows';
export { applyReadModelChanges, insertControlEvents, insertDecisionCopy, insertDecisions } from './projection.queries';
export { decisionCopy, encodeDecisionRow, escapeCopyBytes } from './decision-copy';
export type { DecisionCopy, EncodedDecisionRow } from './decision-copy';
export { readCheckpoints, recordProjectorError, writeCheckpoints } from './checkpoint.queries';
export { readProjectorHealth } from './health.queries';
export type { PartitionHealth, ProducerHealth, ProjectorHealth } from './health.queries';
export {
  countStoredEvents,
  readControlEventPage,
  readDecisionEventPage,
  truncateAllReadModels,
  truncateDerivedReadModels,
} from './replay.queries';
export type { StoredEventCursor, StoredEventPage } from './replay.queries';
export { findCredential, findDecision, findIdentity } from './lookup.queries';
export { MissingKeyError } from './require-key';
export type * from './entities';
export * from './queries';
export * from './partitions';
export * from './integrity';
