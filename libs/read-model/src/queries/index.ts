// Narrow read-side query functions: raw parameterised SQL over a QueryRunnerLike (the data
// source, a read session or a transaction). Services call these, never TypeORM repositories.
export * from './sql-params';
export * from './sql-runner';
export * from './keyset';
export * from './decision.queries';
export * from './identity.queries';
export * from './credential.queries';
export * from './failure-stats.queries';
export * from './control.queries';
export * from './audit-health.queries';
