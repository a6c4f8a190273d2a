// The sequence ledger (issue #14 item 4): a small file per authn instance under dataDir that
// says which boot ran last, how far its `sequence` got and how many events it dropped, so the
// next boot of the same instance can report a boot that ended without stopping (`lost`) with
// its exact last sequence.
//
// Durability: one positioned `writeSync` of the whole record, no fsync, once per event-loop turn
// that handed out sequences, before any of them is used (producer-boot.ts). The kernel holds the
// page once the call returns, so the ledger is exact after a process crash or SIGKILL;
// after a power loss or kernel crash the last writes (or the file) may be missing — an fsync per
// decision would cost more than the decision itself.
//
// Format: fixed-width ASCII lines, rewritten in place (the same length every time, so a write
// never leaves a tail of an older, longer record):
//   authtrail sequence ledger v1
//   boot=<UUIDv7>
//   state=running|stopped
//   lastSequence=<16 digits>
//   dropped=<16 digits>
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface LedgerRecord {
  readonly boot: string;
  /** `running` from the start of a boot; `stopped` once it shut down after flushing its events. */
  readonly state: 'running' | 'stopped';
  readonly lastSequence: number;
  readonly dropped: number;
}

export type LedgerRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ok'; readonly record: LedgerRecord }
  /** Not a ledger this version wrote (torn by a power loss, edited by hand): nothing can be said. */
  | { readonly kind: 'unreadable' };

/** `<dataDir>/<service>/<instance>.ledger` (service `authn` or `graphql-api`); the instance is percent-encoded into one file name. */
export function ledgerFileOf(dataDir: string, instance: string, service = 'authn'): string {
  return join(dataDir, service, `${encodeURIComponent(instance)}.ledger`);
}

const HEADER = 'authtrail sequence ledger v1\n';
const DIGITS = 16; // Number.MAX_SAFE_INTEGER has 16 digits.
const LEDGER_RE = /^authtrail sequence ledger v1\nboot=([0-9a-f-]{36})\nstate=(running|stopped)\nlastSequence=(\d{16})\ndropped=(\d{16})\n$/;

export function readLedger(file: string): LedgerRead {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  const match = LEDGER_RE.exec(text);
  if (!match) return { kind: 'unreadable' };
  return { kind: 'ok', record: { boot: match[1] as string, state: match[2] as LedgerRecord['state'], lastSequence: Number(match[3]), dropped: Number(match[4]) } };
}

export interface SequenceLedger {
  /** Records the last sequence handed out and the drops so far: one positioned write, no fsync. */
  record(lastSequence: number, dropped: number): void;
  /** Marks the boot as stopped cleanly (the next start reports nothing about it). */
  stop(lastSequence: number, dropped: number): void;
  close(): void;
}

/**
 * Starts the ledger of `boot`: replaces whatever `file` held (read it first with `readLedger`)
 * with `running`, sequence 0. One process per file: the caller gives each instance its own.
 */
export function openSequenceLedger(file: string, boot: string): SequenceLedger {
  const prefix = `${HEADER}boot=${boot}\nstate=`;
  const buffer = Buffer.from(`${prefix}running\nlastSequence=${'0'.repeat(DIGITS)}\ndropped=${'0'.repeat(DIGITS)}\n`, 'latin1');
  if (!LEDGER_RE.test(buffer.toString('latin1'))) throw new RangeError('the boot id of a sequence ledger must be a UUID');
  const stateAt = prefix.length;
  const sequenceAt = stateAt + 'running\nlastSequence='.length;
  const droppedAt = sequenceAt + DIGITS + '\ndropped='.length;
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  let open = true;

  // Digits written in place into the one buffer: nothing is allocated per decision.
  const put = (at: number, value: number) => {
    let rest = Math.max(0, Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER));
    for (let i = at + DIGITS - 1; i >= at; i -= 1) {
      buffer[i] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
  };
  const write = () => {
    if (open) writeSync(fd, buffer, 0, buffer.length, 0);
  };
  write();

  return {
    record(lastSequence, dropped) {
      put(sequenceAt, lastSequence);
      put(droppedAt, dropped);
      write();
    },
    stop(lastSequence, dropped) {
      buffer.write('stopped', stateAt, 'latin1');
      put(sequenceAt, lastSequence);
      put(droppedAt, dropped);
      write();
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
