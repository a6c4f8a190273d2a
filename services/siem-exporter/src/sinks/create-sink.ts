import type { TopicWriter } from '../kafka/topic-writer.port';
import type { SinkConfig } from '../siem.config';
import { createKafkaTopicSink } from './kafka-topic.sink';
import type { Sink } from './sink.port';
import { createSplunkHecSink } from './splunk-hec.sink';
import { createSyslogSink } from './syslog.sink';

export interface SinkFactoryDeps {
  readonly topicWriter: TopicWriter;
  readonly productVersion: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The one place that knows every sink type. */
export function createSink(config: SinkConfig, deps: SinkFactoryDeps): Sink {
  switch (config.type) {
    case 'kafka-ocsf':
    case 'kafka-ecs':
      return createKafkaTopicSink(config, deps.topicWriter, deps.productVersion);
    case 'syslog':
      return createSyslogSink(config, deps.productVersion);
    case 'splunk-hec':
      return createSplunkHecSink(config, deps.productVersion, { env: deps.env });
    default: {
      const unreachable: never = config;
      return unreachable;
    }
  }
}
