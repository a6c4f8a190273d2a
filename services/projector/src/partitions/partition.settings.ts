import type { ReadModelsConfig } from '@authtrail/config';
import type { DecisionPartitioning } from '@authtrail/read-model';

/** What partition maintenance needs (durations in milliseconds). */
export interface PartitionSettings {
  readonly partitioning: DecisionPartitioning;
  /** Periods after the current one kept created. */
  readonly partitionsAhead: number;
  readonly maintenanceIntervalMs: number;
  /** Decisions older than this are retired (whole partitions); absent: kept forever. */
  readonly retentionMs?: number;
}

/** The `readModels.*` keys of the authtrail config (validated and defaulted by the loader). */
export function partitionSettingsOf(config: ReadModelsConfig): PartitionSettings {
  return {
    partitioning: config.partitioning,
    partitionsAhead: config.partitionsAhead,
    maintenanceIntervalMs: config.maintenanceInterval,
    ...(config.retention.decisions !== undefined ? { retentionMs: config.retention.decisions } : {}),
  };
}
