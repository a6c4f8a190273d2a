// The Node half of projecting a batch: decode the records, build each slice's COPY input (the
// decisions' payloads are the records' own bytes) and fold the read-model changes, with no
// database work. Runs while the database works on something else: the slices already decoded of
// the same batch (projectRecords), or the batch before (ProjectionPipeline).
import type { ControlEvent, DecisionEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { decisionCopy, type DecisionCopy, type EncodedDecisionRow, type IntegrityLinkRow } from '@authtrail/read-model';
import { BatchDecoder, type PoisonRecord } from './batch.decoder';
import { decodeRecord, type RecordDecoder } from './decode-record';
import { CONTROL_EVENT_TYPES_SET, isDecisionEvent } from './event-kinds';
import { canonicalTime, toEncodedDecisionRow } from './event.rows';
import { startEvolution, type ReadModelEvolution } from './read-model.projection';

/** Everything of a batch but its decisions' COPY input, known once every record is decoded. */
export interface DecodedBatch {
  /** The changes of every distinct decision of the batch, as if all were new (the usual case). */
  readonly evolution: ReadModelEvolution;
  /** Control events in record order (stored, and folded if new, by the write stage). */
  readonly controls: readonly ControlEvent[];
  /** Distinct events (first occurrence of each id). */
  readonly distinct: number;
  readonly lastEventTime: string | null;
  readonly poison: readonly PoisonRecord[];
  readonly repeatedInBatch: number;
  /** The chain link of every chained record, in record order (docs/integrity.md). */
  readonly links: readonly IntegrityLinkRow[];
}

export interface PreparedBatch {
  readonly records: readonly ConsumedRecord[];
  /** One per slice of records, in order, settled as soon as it is decoded; null: no decision in it. */
  readonly slices: readonly Promise<DecisionCopy | null>[];
  readonly decoded: Promise<DecodedBatch>;
}

/** Records decoded between two turns of the event loop (so pg can send the next statement). */
const DECODE_BURST = 10;
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const observed = <T>(promise: Promise<T>): Promise<T> => {
  // Awaited by the write stage; a batch it gives up on (an earlier failure) must not leave an unhandled rejection.
  promise.catch(() => undefined);
  return promise;
};

/**
 * Starts decoding `records` (after `after` settles, so two batches never decode at once) in
 * slices of `sliceSize`; returns at once. Each decoded event is folded right away and only its
 * row's COPY bytes are kept, so decoded events die young.
 */
export function prepareBatch(records: readonly ConsumedRecord[], sliceSize: number, after: Promise<unknown> = Promise.resolve(), decode: RecordDecoder = decodeRecord): PreparedBatch {
  const settlers: { resolve: (copy: DecisionCopy | null) => void; reject: (error: unknown) => void }[] = [];
  const slices = Array.from({ length: Math.ceil(records.length / sliceSize) }, () =>
    observed(new Promise<DecisionCopy | null>((resolve, reject) => settlers.push({ resolve, reject }))),
  );
  const decoded = observed(
    after
      .catch(() => undefined)
      .then(() => decodeInSlices(records, sliceSize, settlers, decode))
      .catch((error: unknown) => {
        for (const settler of settlers) settler.reject(error);
        throw error;
      }),
  );
  return { records, slices, decoded };
}

async function decodeInSlices(
  records: readonly ConsumedRecord[],
  sliceSize: number,
  settlers: readonly { resolve: (copy: DecisionCopy | null) => void }[],
  decode: RecordDecoder,
): Promise<DecodedBatch> {
  const decoder = new BatchDecoder(decode);
  const evolution = startEvolution();
  const controls: ControlEvent[] = [];
  let distinct = 0;
  let lastEventTime: string | null = null;
  const settleSlice = (index: number): void => {
    const taken = decoder.takeEvents();
    const rows: EncodedDecisionRow[] = [];
    const decisions: DecisionEvent[] = [];
    for (const { event, record, verbatim } of taken) {
      const time = canonicalTime(event.time);
      if (lastEventTime === null || time > lastEventTime) lastEventTime = time;
      if (isDecisionEvent(event)) {
        decisions.push(event);
        rows.push(toEncodedDecisionRow(event, verbatim && record.value ? record.value : undefined));
      } else if (CONTROL_EVENT_TYPES_SET.has(event.type)) {
        controls.push(event as ControlEvent);
      }
    }
    distinct += taken.length;
    evolution.add(decisions);
    settlers[index].resolve(rows.length > 0 ? decisionCopy(rows) : null);
  };
  for (let i = 0; i < records.length; i += 1) {
    decoder.add(records[i]);
    if ((i + 1) % sliceSize === 0) settleSlice((i + 1) / sliceSize - 1);
    if ((i + 1) % DECODE_BURST === 0) await yieldToIo();
  }
  if (records.length % sliceSize !== 0) settleSlice(settlers.length - 1);
  return { evolution, controls, distinct, lastEventTime, poison: decoder.poisonRecords, repeatedInBatch: decoder.repeatedInBatch, links: decoder.chainLinks };
}

/**
 * The changes of only the decisions the database reported new (some of the batch was stored
 * already: a redelivery). Decodes the records again: this path is rare, and keeping every decoded
 * event of every batch alive for it would cost each batch more.
 */
export function foldNewDecisions(records: readonly ConsumedRecord[], isNew: (id: string) => boolean, decode: RecordDecoder = decodeRecord): { evolution: ReadModelEvolution; count: number } {
  const decoder = new BatchDecoder(decode);
  for (const record of records) decoder.add(record);
  const fresh = decoder
    .takeEvents()
    .map((d) => d.event)
    .filter((event): event is DecisionEvent => isDecisionEvent(event) && isNew(event.id.toLowerCase()));
  const evolution = startEvolution();
  evolution.add(fresh);
  return { evolution, count: fresh.length };
}
