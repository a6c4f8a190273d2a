import { DEFAULT_SIEM_PRODUCT, partitionKeyOfEvent, toEcs, toOcsf, type SiemMapOptions } from '@authtrail/events';
import type { BusRecord } from '@authtrail/event-bus';
import type { TopicWriter } from '../kafka/topic-writer.port';
import type { KafkaSinkConfig } from '../siem.config';
import { chunks } from './chunking';
import { outputHeaders } from './output-headers';
import { splitOnRefusal } from './refusal-split';
import { ACKNOWLEDGED, type DeliveryOutcome, type Sink, type SinkItem } from './sink.port';

const MAX_WRITE_BYTES = 512 * 1024;

/** `kafka-ocsf` / `kafka-ecs`: one JSON document per record (NDJSON when read line by line), keyed like the source. */
export function createKafkaTopicSink(config: KafkaSinkConfig, writer: TopicWriter, productVersion: string): Sink {
  const options: SiemMapOptions = { product: { ...DEFAULT_SIEM_PRODUCT, version: productVersion }, drop: config.drop };
  const map = config.type === 'kafka-ocsf' ? toOcsf : toEcs;

  const toRecord = (item: SinkItem): BusRecord => ({
    topic: config.topic,
    key: item.key ?? partitionKeyOfEvent(item.event),
    value: Buffer.from(JSON.stringify(map(item.event, options)), 'utf8'),
    headers: outputHeaders(item.event, item.headers, 'application/json'),
  });

  const send = async (records: readonly BusRecord[]): Promise<DeliveryOutcome> => {
    const outcome = await writer.write(records);
    switch (outcome.kind) {
      case 'acknowledged':
        return ACKNOWLEDGED;
      case 'unavailable':
        return { kind: 'unavailable', detail: outcome.detail };
      case 'refused':
        return { kind: 'refused', refused: records.map((_, index) => ({ index, detail: outcome.detail })) };
    }
  };

  return {
    name: config.name,
    async deliver(items) {
      if (items.length === 0) return ACKNOWLEDGED;
      const records = items.map(toRecord);
      const refused: { index: number; detail: string }[] = [];
      // The broker refuses a record batch above message.max.bytes (default 1 MB) per partition:
      // write slices well below it rather than discover the limit by refusals.
      for (const slice of chunks(records.map((r) => r.value), Number.MAX_SAFE_INTEGER, MAX_WRITE_BYTES)) {
        const part = records.slice(slice.start, slice.end);
        const first = await send(part);
        const outcome = first.kind === 'refused' && part.length > 1 ? await splitOnRefusal(part, (r) => send([r])) : first;
        if (outcome.kind === 'unavailable') return outcome;
        if (outcome.kind === 'refused') refused.push(...outcome.refused.map((r) => ({ index: slice.start + r.index, detail: r.detail })));
      }
      return refused.length > 0 ? { kind: 'refused', refused } : ACKNOWLEDGED;
    },
    async close() {
      // The writer is shared with the dead-letter topic; the exporter closes it.
    },
  };
}
