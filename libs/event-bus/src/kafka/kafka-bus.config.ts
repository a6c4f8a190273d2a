// Options of createKafkaBus and their defaults, in one place.
import type { Registry } from 'prom-client';
import type { BusLogger } from '../bus.logger';
import type { PublishMode, TopicSpecs } from '../bus.port';
import { BOOT_RETRY_DEFAULTS, type BootRetrySettings } from './kafka-boot-retry';

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** buffered (default): publish never waits on Kafka. strict: publish resolves on Kafka's ack. */
  readonly mode?: PublishMode;
  /** Directory of the disk spool; one process per directory. */
  readonly spoolDir: string;
  /** Topics created when missing (at the first publish to them, or by admin.ensureTopics). */
  readonly topics?: TopicSpecs;
  /**
   * A batch is sent when it holds `maxRecords` records or `maxBytes` bytes (Kafka's record sizes,
   * estimated from above), or when its oldest record waited `lingerMs`. `maxBytes` stays under the
   * broker's `message.max.bytes` (1,048,588 by default): Kafka refuses a larger record batch whole.
   */
  readonly batch?: { readonly maxRecords?: number; readonly maxBytes?: number; readonly lingerMs?: number };
  /** Record batch compression: `none` (default; gzip costs more CPU than it saves here, docs/event-bus.md) or `gzip`. */
  readonly compression?: RecordCompression;
  /**
   * `tuned` (default): the producer writes records with our encoder, checksum and partitioner
   * (fast-produce/): the same bytes and partitions as kafkajs at about half its CPU per record.
   * `kafkajs`: stock kafkajs' partitioner and client, to measure against (bench/events, one
   * process per variant): once a tuned bus has loaded the replaced encoder and checksum, every
   * kafkajs producer of that process writes through them (the same bytes).
   */
  readonly producerEncoding?: ProducerEncoding;
  /** Records kept in memory before spilling to the spool. */
  readonly memoryBufferRecords?: number;
  /** Spool size beyond which records are dropped (and counted). */
  readonly spoolMaxBytes?: number;
  readonly spoolSegmentBytes?: number;
  /** strict mode: how long publish waits for Kafka's ack before rejecting. */
  readonly strictTimeoutMs?: number;
  /** How long close() tries to deliver before leaving the rest in the spool. */
  readonly closeTimeoutMs?: number;
  readonly logger?: BusLogger;
  readonly metrics?: Registry;
  /** Backoff of subscribe, readToEnd and admin.ensureTopics while Kafka does not answer (they retry until it does or the bus closes). */
  readonly bootRetry?: Partial<BootRetrySettings>;
}

export type RecordCompression = 'none' | 'gzip';
export type ProducerEncoding = 'tuned' | 'kafkajs';

export interface ResolvedPublisherSettings {
  readonly mode: PublishMode;
  readonly compression: RecordCompression;
  readonly encoding: ProducerEncoding;
  readonly maxRecords: number;
  readonly maxBatchBytes: number;
  readonly lingerMs: number;
  readonly memoryBufferRecords: number;
  readonly spoolMaxBytes: number;
  readonly spoolSegmentBytes: number;
  readonly strictTimeoutMs: number;
  readonly closeTimeoutMs: number;
}

export const PUBLISHER_DEFAULTS: ResolvedPublisherSettings = {
  mode: 'buffered',
  compression: 'none',
  encoding: 'tuned',
  maxRecords: 500,
  maxBatchBytes: 1_000_000,
  lingerMs: 5,
  memoryBufferRecords: 50_000,
  spoolMaxBytes: 512 * 1024 * 1024,
  spoolSegmentBytes: 8 * 1024 * 1024,
  strictTimeoutMs: 5_000,
  closeTimeoutMs: 10_000,
};

export function resolvePublisherSettings(options: KafkaBusOptions): ResolvedPublisherSettings {
  const settings: ResolvedPublisherSettings = {
    mode: options.mode ?? PUBLISHER_DEFAULTS.mode,
    compression: options.compression ?? PUBLISHER_DEFAULTS.compression,
    encoding: options.producerEncoding ?? PUBLISHER_DEFAULTS.encoding,
    maxRecords: options.batch?.maxRecords ?? PUBLISHER_DEFAULTS.maxRecords,
    maxBatchBytes: options.batch?.maxBytes ?? PUBLISHER_DEFAULTS.maxBatchBytes,
    lingerMs: options.batch?.lingerMs ?? PUBLISHER_DEFAULTS.lingerMs,
    memoryBufferRecords: options.memoryBufferRecords ?? PUBLISHER_DEFAULTS.memoryBufferRecords,
    spoolMaxBytes: options.spoolMaxBytes ?? PUBLISHER_DEFAULTS.spoolMaxBytes,
    spoolSegmentBytes: options.spoolSegmentBytes ?? PUBLISHER_DEFAULTS.spoolSegmentBytes,
    strictTimeoutMs: options.strictTimeoutMs ?? PUBLISHER_DEFAULTS.strictTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? PUBLISHER_DEFAULTS.closeTimeoutMs,
  };
  const positive = ['maxRecords', 'maxBatchBytes', 'memoryBufferRecords', 'spoolSegmentBytes', 'strictTimeoutMs'] as const;
  for (const key of positive) {
    if (!Number.isInteger(settings[key]) || settings[key] < 1) throw new RangeError(`event bus option ${key} must be a positive integer`);
  }
  for (const key of ['lingerMs', 'spoolMaxBytes', 'closeTimeoutMs'] as const) {
    if (!Number.isInteger(settings[key]) || settings[key] < 0) throw new RangeError(`event bus option ${key} must be a non-negative integer`);
  }
  if (settings.mode !== 'buffered' && settings.mode !== 'strict') throw new RangeError(`event bus mode must be buffered or strict`);
  if (settings.compression !== 'none' && settings.compression !== 'gzip') throw new RangeError('event bus option compression must be none or gzip');
  if (settings.encoding !== 'tuned' && settings.encoding !== 'kafkajs') throw new RangeError('event bus option producerEncoding must be tuned or kafkajs');
  if (options.brokers.length === 0) throw new RangeError('event bus option brokers must name at least one broker');
  return settings;
}

export function resolveBootRetry(options: Pick<KafkaBusOptions, 'bootRetry'>): BootRetrySettings {
  const settings = { ...BOOT_RETRY_DEFAULTS, ...options.bootRetry };
  if (!Number.isInteger(settings.initialDelayMs) || settings.initialDelayMs < 1) throw new RangeError('event bus option bootRetry.initialDelayMs must be a positive integer');
  if (!Number.isInteger(settings.maxDelayMs) || settings.maxDelayMs < settings.initialDelayMs) throw new RangeError('event bus option bootRetry.maxDelayMs must be an integer of at least initialDelayMs');
  return settings;
}
