// The time-partitioned `decision` table and its retention (docs/read-models.md "Partitions and retention").
export {
  boundLiteral,
  DECISION_PARTITIONINGS,
  partitionNameOf,
  periodOf,
  periodsAhead,
  periodStart,
  retirablePartitions,
  uncoveredRanges,
} from './decision-periods';
export type { DecisionPartitioning, TimeRange } from './decision-periods';
export {
  advanceRetirement,
  createDecisionPartition,
  DECISION_DERIVED_TABLES,
  DEFAULT_DECISION_PARTITION,
  detachDecisionPartition,
  dropRetiredPartition,
  foldIntoRollup,
  forgetRolledUpPast,
  listDecisionPartitions,
  lockPartitionMaintenance,
  pendingRetirements,
  readRetiringPage,
  ROLLUP_SCHEMA,
  seedDerivedFromRollup,
  strayPeriodStarts,
} from './decision-partition.queries';
export type { DecisionPartition, DecisionPartitionList, PendingRetirement } from './decision-partition.queries';
