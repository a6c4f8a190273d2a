export * from './bus.port';
export * from './bus.errors';
export type { BusLogger } from './bus.logger';
export { createKafkaBus } from './kafka/kafka-bus';
export { PUBLISHER_DEFAULTS, type KafkaBusOptions } from './kafka/kafka-bus.config';
export { createInProcessBus, DEFAULT_PERSISTED_TOPICS, type InProcessBusOptions } from './in-process/in-process-bus';
export { cellCounter, cellHistogram, type CounterCell, type HistogramCell } from './metric-cells';
