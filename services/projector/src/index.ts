// Public surface of the projector (the all-in-one `npm start` runs it in-process).
export { startProjector } from './projector';
export type { ProjectorDeps, ProjectorLogger, ProjectorStats, RunningProjector } from './projector';
export { PROJECTOR_DEFAULTS, projectorConfigOf, resolveProjectorConfig, standaloneProjectorConfig } from './projector.config';
export type { ProjectorConfig, StandaloneProjectorConfig } from './projector.config';
export { publisherDeadLetters } from './bus-dead-letters';
export { toDeadLetter } from './dead-letter';
export type { DeadLetterSink } from './dead-letter';
export { evolve } from './read-model.projection';
export { progressLine, replayFromDatabase, replayFromKafka } from './replay';
export type { ReplayOptions, ReplayProgress, ReplayResult } from './replay';
