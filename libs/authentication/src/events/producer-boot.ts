// One process start of one authn instance, as the decision events count it (issue #14 item 4):
// a boot id (UUIDv7), the `sequence` that restarts at 1 with it, the decision events this boot
// dropped itself (the publisher refused them: memory buffer and spool full), and the sequence
// ledger that lets the next boot report this one if it never stops cleanly.
import type { ProducerStatusData } from '@authtrail/events';
import { openSequenceLedger, readLedger, type LedgerRecord } from './sequence-ledger';

/** What the decision service needs: numbers for each event, and where drops are counted. */
export interface DecisionProducer {
  readonly boot: string;
  /** The next sequence number (1, 2, 3 …). Use it only once `ledgerWritten()` has resolved. */
  nextSequence(): number;
  /** Resolves once the ledger holds every sequence handed out so far (at once without a ledger). */
  ledgerWritten(): Promise<void>;
  /** Decision events dropped so far by this boot. */
  dropped(): number;
  /** The publisher dropped one decision event. */
  recordDrop(): void;
}

export interface ProducerBoot extends DecisionProducer {
  readonly instance: string;
  /** The previous boot of this instance when its ledger says it never stopped: report it as lost. */
  readonly unfinished?: LedgerRecord;
  lastSequence(): number;
  /** This boot's status for a `authtrail.control.producer.status.v1` event. */
  status(state: 'running' | 'stopped'): ProducerStatusData;
  /** Marks the ledger clean: call after `stopped` was delivered. */
  stopped(): void;
  close(): void;
}

export interface ProducerBootOptions {
  readonly instance: string;
  /** A new UUIDv7, normally `newEventId(now)`. */
  readonly boot: string;
  /** The ledger file (`ledgerFileOf(dataDir, instance)`); absent: counted in memory only. */
  readonly ledgerFile?: string;
  /** Told when the previous ledger could not be read (nothing is reported about that boot). */
  readonly onUnreadableLedger?: (file: string) => void;
}

const WRITTEN: Promise<void> = Promise.resolve();

export function startProducerBoot(options: ProducerBootOptions): ProducerBoot {
  const { instance, boot, ledgerFile } = options;
  let unfinished: LedgerRecord | undefined;
  if (ledgerFile !== undefined) {
    // Read before the new boot overwrites it.
    const previous = readLedger(ledgerFile);
    if (previous.kind === 'ok' && previous.record.state === 'running') unfinished = previous.record;
    if (previous.kind === 'unreadable') options.onUnreadableLedger?.(ledgerFile);
  }
  const ledger = ledgerFile !== undefined ? openSequenceLedger(ledgerFile, boot) : undefined;
  let sequence = 0;
  let dropped = 0;
  // One ledger write per event-loop turn, not one per decision (issue #19: a write(2) costs 5–15 µs
  // here): the sequences handed out during a turn are written once, when the turn's I/O callbacks
  // are done (setImmediate). The decision service waits for that write before its event leaves or
  // its answer is sent, so whenever the process dies the ledger covers every sequence used.
  let pendingWrite: Promise<void> | undefined;
  const writeAtTurnEnd = (): Promise<void> =>
    (pendingWrite ??= new Promise((resolve) =>
      setImmediate(() => {
        pendingWrite = undefined;
        ledger?.record(sequence, dropped);
        resolve();
      }),
    ));

  return {
    instance,
    boot,
    ...(unfinished ? { unfinished } : {}),
    nextSequence() {
      sequence += 1;
      if (ledger) void writeAtTurnEnd();
      return sequence;
    },
    ledgerWritten: () => pendingWrite ?? WRITTEN,
    lastSequence: () => sequence,
    dropped: () => dropped,
    recordDrop() {
      dropped += 1;
      ledger?.record(sequence, dropped);
    },
    status: (state) => ({ instance, boot, state, lastSequence: sequence, dropped }),
    stopped() {
      ledger?.stop(sequence, dropped);
    },
    close() {
      ledger?.close();
    },
  };
}
