// Decides when a checkpoint is due and writes it: a signed control event that joins the chain
// (its chainprev is the head it summarises). Signing costs one Ed25519 signature (~50 µs) per
// checkpoint, every `everyEvents` events or `everyMillis`, not per event.
import {
  CLOUDEVENTS_JSON_CONTENT_TYPE,
  INTEGRITY_CHECKPOINT_EVENT_TYPE,
  PRODUCER_PARTITION_KEY_PREFIX,
  dataSchemaUriOf,
  topicOf,
  type EventOrigin,
  type EventRecord,
  type IntegrityCheckpointData,
  type IntegrityCheckpointEvent,
} from '@authtrail/events';
import type { ChainPosition } from './chain-position';
import { checkpointSigningInput, signCheckpoint } from './checkpoint-signature';
import type { ChainWriter } from './chain-writer';
import type { SigningKey } from './key-ring';

export const CHECKPOINT_DEFAULTS = { everyEvents: 1000, everyMillis: 10_000 } as const;

export interface CheckpointSignerOptions {
  readonly key: SigningKey;
  /** A checkpoint is due after this many events since the last one… */
  readonly everyEvents?: number;
  /** …or this long after the last one (or the start), if at least one event happened. */
  readonly everyMillis?: number;
  /** Epoch ms of the start: the first timed checkpoint is due `everyMillis` after it. */
  readonly startedAt: number;
}

export type ChainedCheckpointEvent = IntegrityCheckpointEvent & ChainPosition;

export interface WrittenCheckpoint {
  readonly event: ChainedCheckpointEvent;
  /** The record to publish on the control topic, value exactly as hashed into the chain. */
  readonly record: EventRecord;
}

export class CheckpointSigner {
  private readonly key: SigningKey;
  private readonly everyEvents: number;
  private readonly everyMillis: number;
  private lastAt: number;

  constructor(options: CheckpointSignerOptions) {
    this.key = options.key;
    this.everyEvents = options.everyEvents ?? CHECKPOINT_DEFAULTS.everyEvents;
    this.everyMillis = options.everyMillis ?? CHECKPOINT_DEFAULTS.everyMillis;
    if (!Number.isInteger(this.everyEvents) || this.everyEvents < 1) throw new RangeError('everyEvents must be an integer >= 1');
    if (!(this.everyMillis > 0)) throw new RangeError('everyMillis must be > 0');
    this.lastAt = options.startedAt;
  }

  /** True when `writer` has events since its last checkpoint and enough of them, or enough time, passed. */
  due(writer: ChainWriter, now: number): boolean {
    const pending = writer.uncheckpointed;
    return pending > 0 && (pending >= this.everyEvents || now - this.lastAt >= this.everyMillis);
  }

  /**
   * Writes the checkpoint of what `writer` committed since its last one and commits it to the
   * writer; undefined when there is nothing to cover. Publish `record` right away, in chain order.
   */
  checkpoint(writer: ChainWriter, origin: EventOrigin): WrittenCheckpoint | undefined {
    const range = writer.pendingRange();
    if (!range) return undefined;
    const position = writer.next();
    try {
      const unsigned: Omit<IntegrityCheckpointData, 'signature'> = { chainId: writer.chainId, instance: writer.instance, boot: writer.boot, ...range, keyId: this.key.id };
      const envelope: Omit<ChainedCheckpointEvent, 'data'> = {
        specversion: '1.0',
        id: origin.id,
        source: origin.source,
        type: INTEGRITY_CHECKPOINT_EVENT_TYPE,
        time: origin.time.toISOString(),
        datacontenttype: 'application/json',
        dataschema: dataSchemaUriOf(INTEGRITY_CHECKPOINT_EVENT_TYPE),
        subject: `${PRODUCER_PARTITION_KEY_PREFIX}${writer.instance}`,
        ...position,
      };
      const signature = signCheckpoint(checkpointSigningInput({ ...envelope, data: unsigned }), this.key.privateKey);
      const event: ChainedCheckpointEvent = { ...envelope, data: { ...unsigned, signature } };
      const value = Buffer.from(JSON.stringify(event), 'utf8');
      writer.commitCheckpoint(value, event.time);
      this.lastAt = origin.time.getTime();
      return { event, record: { topic: topicOf(INTEGRITY_CHECKPOINT_EVENT_TYPE), key: event.subject as string, value, headers: { 'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE } } };
    } catch (error) {
      writer.release();
      throw error;
    }
  }
}
