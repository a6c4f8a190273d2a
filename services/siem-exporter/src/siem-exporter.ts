import type { Subscriber, Subscription } from '@authtrail/event-bus';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createBatchHandler } from './batch.handler';
import type { TopicWriter } from './kafka/topic-writer.port';
import type { SiemConfig } from './siem.config';
import { createSiemMetrics, type SiemMetrics } from './siem.metrics';
import { createSink } from './sinks/create-sink';

export interface SiemExporterDeps {
  /** Consumer groups over the decision and control topics (libs/event-bus). */
  readonly subscriber: Subscriber;
  /** Writes the Kafka sink topics and the dead-letter topic; the caller owns it. */
  readonly topicWriter: TopicWriter;
  readonly logger?: Logger;
  /** Metrics registry (default: a new one, see `exporter.metrics.registry`). */
  readonly registry?: Registry;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly random?: () => number;
  readonly now?: () => Date;
  /** Where a new consumer group starts (default: the beginning, so nothing from before the first start is missed). */
  readonly fromBeginning?: boolean;
}

export interface SiemExporter {
  readonly metrics: SiemMetrics;
  /** Stops consuming (an unfinished batch is not committed and comes again on restart) and closes the sinks. */
  stop(): Promise<void>;
}

/**
 * Starts the consumer group that delivers decision (and control) events to every configured
 * sink. Resolves once the group is subscribed. With no sinks, or `enabled: false`, it consumes nothing.
 */
export async function startSiemExporter(config: SiemConfig, deps: SiemExporterDeps): Promise<SiemExporter> {
  const logger = deps.logger ?? pino({ name: 'siem-exporter' });
  const metrics = createSiemMetrics(deps.registry);
  if (!config.enabled || config.sinks.length === 0) {
    logger.info({ enabled: config.enabled, sinks: config.sinks.length }, 'siem exporter idle: no sinks');
    return { metrics, stop: async () => undefined };
  }
  const sinks = config.sinks.map((sinkConfig) => ({
    sink: createSink(sinkConfig, { topicWriter: deps.topicWriter, productVersion: config.productVersion, env: deps.env }),
    filter: sinkConfig.filter,
  }));
  const stopping = new AbortController();
  const handleBatch = createBatchHandler({
    sinks,
    topicWriter: deps.topicWriter,
    deadLetterTopic: config.topics.deadLetter,
    retry: { initialDelayMs: config.retry.initialDelayMs, maxDelayMs: config.retry.maxDelayMs, random: deps.random ?? Math.random },
    metrics,
    logger,
    signal: stopping.signal,
    now: deps.now ?? (() => new Date()),
  });
  const topics = config.includeControl ? [config.topics.decisions, config.topics.control] : [config.topics.decisions];
  let subscription: Subscription;
  try {
    subscription = await deps.subscriber.subscribe({ groupId: config.groupId, topics, fromBeginning: deps.fromBeginning ?? true, handleBatch });
  } catch (error) {
    await Promise.all(sinks.map(({ sink }) => sink.close()));
    throw error;
  }
  logger.info({ groupId: config.groupId, topics, sinks: sinks.map(({ sink }) => sink.name) }, 'siem exporter started');

  let stopped: Promise<void> | undefined;
  return {
    metrics,
    stop() {
      stopped ??= (async () => {
        stopping.abort(new Error('siem exporter stopping'));
        await subscription.stop();
        await Promise.all(sinks.map(({ sink }) => sink.close()));
        logger.info('siem exporter stopped');
      })();
      return stopped;
    },
  };
}
