// Where a producer instance keeps the hash of the last checkpoint it published, beside its
// sequence ledger: the first event of its next boot links to it, so the boots of an instance form
// one chain of checkpoints (docs/integrity.md). Written before the checkpoint is handed to the
// publisher, once per checkpoint.
//
// Written in place like the sequence ledger: one positioned write of the fixed-size record (64 hex
// digits and a newline, within one disk sector), no fsync. A temporary file renamed over the
// anchor cost ≈ 1 ms on the request thread per checkpoint on ext4, which flushes the replaced
// file's data on such a rename (issue #19, docs/authn.md "Session 18"). A torn or foreign file
// reads as `unreadable`: the next boot then starts its chain from genesis and says so.
import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const HASH = /^[0-9a-f]{64}$/;
const RECORD_BYTES = 65;

/** `<ledger file>` with `.checkpoint` for `.ledger`. */
export function anchorFileOf(ledgerFile: string): string {
  return ledgerFile.replace(/\.ledger$/, '') + '.checkpoint';
}

export type AnchorRead = { readonly kind: 'absent' } | { readonly kind: 'ok'; readonly hash: string } | { readonly kind: 'unreadable' };

export function readCheckpointAnchor(file: string): AnchorRead {
  let text: string;
  try {
    text = readFileSync(file, 'latin1').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  return HASH.test(text) ? { kind: 'ok', hash: text } : { kind: 'unreadable' };
}

export interface CheckpointAnchorWriter {
  write(hash: string): void;
  /** Closes the file (a later `write` opens it again). */
  close(): void;
}

/**
 * The anchor of one boot. The file is opened at the first checkpoint, not before: a boot that
 * publishes none leaves the previous boot's anchor for the next one.
 */
export function checkpointAnchorWriter(file: string): CheckpointAnchorWriter {
  const record = Buffer.alloc(RECORD_BYTES);
  let fd: number | undefined;
  return {
    write(hash) {
      if (!HASH.test(hash)) throw new RangeError('a checkpoint hash is 64 lowercase hex digits');
      record.write(`${hash}\n`, 0, 'latin1');
      if (fd === undefined) {
        mkdirSync(dirname(file), { recursive: true });
        fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
        writeSync(fd, record, 0, RECORD_BYTES, 0);
        // Whatever longer content the file held before (an older format, an edit) goes.
        ftruncateSync(fd, RECORD_BYTES);
        return;
      }
      writeSync(fd, record, 0, RECORD_BYTES, 0);
    },
    close() {
      if (fd === undefined) return;
      closeSync(fd);
      fd = undefined;
    },
  };
}
