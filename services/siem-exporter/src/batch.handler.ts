import type { ConsumedBatch } from '@authtrail/event-bus';
import { decodeEvent } from '@authtrail/events';
import type { Logger } from 'pino';
import { sleep, backoffDelay } from './backoff';
import { toDeadLetterRecord, type DeadLetter } from './dead-letter';
import { passesFilter } from './event-filter';
import type { TopicWriter } from './kafka/topic-writer.port';
import type { SinkFilter } from './siem.config';
import type { SiemMetrics } from './siem.metrics';
import { deliverUntilAcknowledged, type RetryPolicy } from './sink-delivery';
import type { Sink, SinkItem } from './sinks/sink.port';

export interface RoutedSink {
  readonly sink: Sink;
  readonly filter: SinkFilter;
}

export interface BatchHandlerDeps {
  readonly sinks: readonly RoutedSink[];
  readonly topicWriter: TopicWriter;
  readonly deadLetterTopic: string;
  readonly retry: RetryPolicy;
  readonly metrics: SiemMetrics;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/**
 * One consumed batch through every sink. Resolves only when every sink acknowledged its share
 * and every refused or undecodable record is on the dead-letter topic: the subscriber commits
 * the offsets after that (at-least-once). Sinks work in parallel; a sink that is down holds the
 * batch (and so the partition) until it is back.
 */
export function createBatchHandler(deps: BatchHandlerDeps): (batch: ConsumedBatch) => Promise<void> {
  return async (batch) => {
    const letters: DeadLetter[] = [];
    const items: (SinkItem & { readonly index: number })[] = [];
    batch.records.forEach((record, index) => {
      const decoded = record.value ? decodeEvent(record.value) : ({ ok: false, reason: 'invalid_json', detail: 'empty record value' } as const);
      if (decoded.ok) items.push({ event: decoded.event, key: record.key, headers: record.headers, index });
      else letters.push({ record, sink: 'decoder', detail: `${decoded.reason}: ${decoded.detail}` });
    });

    const refusals = await Promise.all(
      deps.sinks.map(async ({ sink, filter }) => {
        const selected = items.filter((item) => passesFilter(item.event, filter));
        if (selected.length < items.length) deps.metrics.filtered.inc({ sink: sink.name }, items.length - selected.length);
        if (selected.length === 0) return [];
        const refused = await deliverUntilAcknowledged(sink, selected, deps.retry, deps.metrics, deps.logger, deps.signal);
        return refused.flatMap(({ index, detail }): DeadLetter[] => {
          const record = batch.records[selected[index]?.index ?? -1];
          const event = selected[index]?.event;
          return record ? [{ record, sink: sink.name, detail, ...(event ? { eventId: event.id } : {}) }] : [];
        });
      }),
    );
    letters.push(...refusals.flat());
    if (letters.length > 0) await writeDeadLetters(letters, deps);

    const last = batch.records.at(-1);
    if (last) {
      const lag = BigInt(batch.highWatermark) - BigInt(last.offset) - 1n;
      deps.metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(lag > 0n ? lag : 0n));
    }
  };
}

async function writeDeadLetters(letters: readonly DeadLetter[], deps: BatchHandlerDeps): Promise<void> {
  const now = deps.now();
  const records = letters.map((letter) => toDeadLetterRecord(deps.deadLetterTopic, letter, now));
  for (let attempt = 1; ; attempt += 1) {
    deps.signal.throwIfAborted();
    const outcome = await deps.topicWriter.write(records);
    if (outcome.kind === 'acknowledged') break;
    if (outcome.kind === 'refused') {
      // Nowhere left to put them: say so loudly (ids only, never values) and move on.
      deps.logger.error({ topic: deps.deadLetterTopic, detail: outcome.detail, ids: letters.map((l) => l.eventId ?? `${l.record.topic}/${l.record.partition}@${l.record.offset}`) }, 'the dead-letter topic refused records');
      return;
    }
    if (attempt === 1 || attempt % 10 === 0) deps.logger.warn({ topic: deps.deadLetterTopic, attempt, detail: outcome.detail }, 'dead-letter topic unavailable; retrying');
    await sleep(backoffDelay(attempt, deps.retry.initialDelayMs, deps.retry.maxDelayMs, deps.retry.random()), deps.signal);
  }
  for (const letter of letters) {
    deps.metrics.deadLettered.inc({ sink: letter.sink });
    deps.logger.warn({ sink: letter.sink, id: letter.eventId, topic: letter.record.topic, partition: letter.record.partition, offset: letter.record.offset, detail: letter.detail }, 'event dead-lettered');
  }
}
