// Every event of one producer boot goes out through here (issue #21, docs/integrity.md): its
// position in the boot's hash chain is written into the envelope, the bytes it is encoded to
// are hashed into the chain, and after `checkpointEvery` events or `checkpointInterval` a
// checkpoint signed with the producer's Ed25519 key follows it on the control topic. Chain order
// is the order of `publish` calls; the publisher keeps that order per partition.
import type { Publisher, PublishResult } from '@authtrail/event-bus';
import { encodeEvent, partitionKeyOfEvent, STRUCTURED_MODE_HEADERS, toBusRecord, type AuthtrailEvent } from '@authtrail/events';
import type { ChainWriter, CheckpointSigner, VerificationKeyRing } from '@authtrail/integrity';
import type { Logger } from 'pino';

/** What the services publish events through: chained in production, plain in unit tests. */
export interface EventPublisher {
  publish(topic: string, event: AuthtrailEvent): Promise<PublishResult>;
}

export interface ChainedPublisher extends EventPublisher {
  /** The producer's public keys (the signing key's and earlier ones): `/v1/integrity/keys`. */
  readonly keys: VerificationKeyRing;
  /** Publishes a checkpoint of whatever is not covered yet: at stop, before the last flush. */
  checkpoint(): Promise<void>;
  /** Stops the checkpoint timer. */
  close(): void;
}

/** No chain: the record as `toBusRecord` makes it (tests that do not look at integrity). */
export function plainEventPublisher(publisher: Publisher): EventPublisher {
  return { publish: (topic, event) => publisher.publish(toBusRecord(topic, event)) };
}

export interface ChainedPublisherDeps {
  readonly publisher: Publisher;
  readonly writer: ChainWriter;
  readonly signer: CheckpointSigner;
  readonly keys: VerificationKeyRing;
  /** CloudEvents source of the checkpoints: the producer's own. */
  readonly source: string;
  readonly newEventId: (now: Date) => string;
  readonly now: () => Date;
  /** How often the timer asks whether a checkpoint is due by time (a fraction of `checkpointInterval`). */
  readonly pollMs: number;
  /** Told the hash of each checkpoint record before it is published: the next boot links to it. */
  readonly onCheckpoint: (hash: string) => void;
  readonly logger: Logger;
}

export function createChainedPublisher(deps: ChainedPublisherDeps): ChainedPublisher {
  const { writer, signer, publisher, logger } = deps;

  const chained = (topic: string, event: AuthtrailEvent) => {
    const position = writer.next();
    let value: Buffer;
    try {
      value = encodeEvent({ ...event, ...position } as AuthtrailEvent);
    } catch (error) {
      writer.release();
      throw error;
    }
    writer.commit(value, event.time);
    return { topic, key: partitionKeyOfEvent(event), value, headers: STRUCTURED_MODE_HEADERS };
  };

  const publishCheckpoint = async (when: 'due' | 'now'): Promise<void> => {
    const time = deps.now();
    if (when === 'due' && !signer.due(writer, time.getTime())) return;
    const written = signer.checkpoint(writer, { id: deps.newEventId(time), time, source: deps.source });
    if (!written) return;
    if (writer.lastCheckpoint !== null) deps.onCheckpoint(writer.lastCheckpoint);
    try {
      const { dropped } = await publisher.publish(written.record);
      if (dropped) logger.warn({ chainId: writer.chainId, toSequence: written.event.data.toSequence }, 'integrity checkpoint dropped (event buffer and spool full)');
    } catch (error) {
      logger.warn({ err: error, chainId: writer.chainId }, 'integrity checkpoint not published');
    }
  };

  const timer = setInterval(() => void publishCheckpoint('due'), deps.pollMs);
  // The checkpoint timer never keeps the process alive on its own.
  timer.unref();

  return {
    keys: deps.keys,
    publish(topic, event) {
      const published = publisher.publish(chained(topic, event));
      // Right behind the event, in chain order (the checkpoint is chained synchronously).
      if (signer.due(writer, Date.now())) void publishCheckpoint('due');
      return published;
    },
    checkpoint: () => publishCheckpoint('now'),
    close: () => clearInterval(timer),
  };
}
