// The producer side of a chain, on the request path: hands out the position of the next event
// and takes the bytes it was encoded to. One SHA-256 of the record value per event, nothing else.
import { hash } from 'node:crypto';
import type { IntegrityCheckpointData } from '@authtrail/events';
import { chainIdOf, GENESIS_LINK, SHA256_HEX, type ChainPosition } from './chain-position';

export interface ChainWriterOptions {
  readonly instance: string;
  /** The boot id (UUIDv7) of this process start, as in the decision events. */
  readonly boot: string;
  /**
   * Hex SHA-256 of the last checkpoint record this producer instance published in an earlier
   * boot (kept beside its sequence ledger), or null/absent for the first boot: the first event
   * of this boot links to it, so the boots of an instance form one chain of checkpoints.
   */
  readonly lastCheckpoint?: string | null;
}

/** The events since the last checkpoint, as a checkpoint states them. */
export type PendingRange = Pick<IntegrityCheckpointData, 'fromSequence' | 'toSequence' | 'count' | 'head' | 'firstTime' | 'lastTime' | 'previousCheckpoint'>;

export class ChainWriterError extends Error {
  override readonly name = 'ChainWriterError';
}

/** SHA-256 of a record value in lower-case hex: what `chainprev`, `head` and `previousCheckpoint` hold. */
export function recordHash(value: Uint8Array): string {
  return hash('sha256', value, 'hex');
}

export class ChainWriter {
  readonly chainId: string;
  readonly instance: string;
  readonly boot: string;
  private sequence = 0;
  private previous: string;
  private reserved = false;
  private checkpoint: string | null;
  private rangeFrom = 1;
  private firstTime = '';
  private lastTime = '';

  constructor(options: ChainWriterOptions) {
    const last = options.lastCheckpoint ?? null;
    if (last !== null && !SHA256_HEX.test(last)) throw new ChainWriterError('lastCheckpoint must be 64 lower-case hex digits or null');
    this.instance = options.instance;
    this.boot = options.boot;
    this.chainId = chainIdOf(options.instance, options.boot);
    this.checkpoint = last;
    this.previous = last ?? GENESIS_LINK;
  }

  /** The position of the next event; write it into the event, encode it, then `commit` the bytes. */
  next(): ChainPosition {
    // Two positions out at once would give two events the same chainprev: a broken chain.
    if (this.reserved) throw new ChainWriterError('next() called twice without commit() or release()');
    this.reserved = true;
    return { chainid: this.chainId, chainseq: this.sequence + 1, chainprev: this.previous };
  }

  /** The encoded record value of the event that got the last `next()`, and its `time`. Returns its hash. */
  commit(value: Uint8Array, time: string): string {
    if (!this.reserved) throw new ChainWriterError('commit() without next()');
    const digest = recordHash(value);
    this.reserved = false;
    this.sequence += 1;
    this.previous = digest;
    if (this.sequence === this.rangeFrom) this.firstTime = time;
    this.lastTime = time;
    return digest;
  }

  /** Gives the position of the last `next()` back when its event is not encoded after all (nothing was published). */
  release(): void {
    this.reserved = false;
  }

  /** The last sequence committed (0: none yet). */
  get lastSequence(): number {
    return this.sequence;
  }

  /** Hex SHA-256 of the last checkpoint record committed (this boot's or the one it started from), or null. Persist it for the next boot. */
  get lastCheckpoint(): string | null {
    return this.checkpoint;
  }

  /** Events committed since the last checkpoint. */
  get uncheckpointed(): number {
    return this.sequence - this.rangeFrom + 1;
  }

  /** What a checkpoint written now would cover; undefined when nothing happened since the last one. */
  pendingRange(): PendingRange | undefined {
    if (this.uncheckpointed <= 0) return undefined;
    return {
      fromSequence: this.rangeFrom,
      toSequence: this.sequence,
      count: this.uncheckpointed,
      head: this.previous,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      previousCheckpoint: this.checkpoint,
    };
  }

  /** Commits a checkpoint record (after `next()`): it joins the chain and starts the next range. */
  commitCheckpoint(value: Uint8Array, time: string): string {
    const digest = this.commit(value, time);
    this.checkpoint = digest;
    this.rangeFrom = this.sequence + 1;
    return digest;
  }
}
