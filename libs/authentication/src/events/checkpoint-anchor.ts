// Where a producer instance keeps the hash of the last checkpoint it published, beside its
// sequence ledger: the first event of its next boot links to it, so the boots of an instance form
// one chain of checkpoints (docs/integrity.md). Written before the checkpoint is handed to the
// publisher (write to a temporary file, then rename: never half a hash), once per checkpoint.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const HASH = /^[0-9a-f]{64}$/;

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

export function writeCheckpointAnchor(file: string, hash: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${hash}\n`, 'latin1');
  renameSync(temporary, file);
}
