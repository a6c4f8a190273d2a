// Public surface of the projector (the all-in-one `npm start` runs it in-process).
export { startProjector } from './projector';
export type { ProjectorDeps, ProjectorIntegrity, ProjectorLogger, ProjectorStats, RunningProjector } from './projector';
export { PROJECTOR_DEFAULTS, projectorConfigOf, resolveProjectorConfig, standaloneProjectorConfig } from './projector.config';
export type { ProjectorConfig, StandaloneProjectorConfig } from './projector.config';
export { publisherDeadLetters } from './bus-dead-letters';
export { CHAIN_VERIFIER_LOCK_KEY } from './integrity/chain-verification';
export { partitionSettingsOf } from './partitions/partition.settings';
export { startPartitionMaintenance } from './partitions/partition-maintenance';
export { toDeadLetter } from './dead-letter';
export type { DeadLetterSink } from './dead-letter';
export { evolve } from './read-model.projection';
export { progressLine, replayFromDatabase, replayFromKafka } from './replay';
export type { ReplayOptions, ReplayProgress, ReplayResult } from './replay';
