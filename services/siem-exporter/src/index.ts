export { startSiemExporter, type SiemExporter, type SiemExporterDeps } from './siem-exporter';
export { parseSiemConfig, SINK_TYPES, type SiemConfig, type SinkConfig, type SiemConfigResult } from './siem.config';
export { createKafkaTopicWriter } from './kafka/kafka-topic-writer';
export { publisherTopicWriter } from './kafka/publisher-topic-writer';
export type { TopicWriter, TopicWriteOutcome } from './kafka/topic-writer.port';
export type { SiemMetrics } from './siem.metrics';
