// The least work one audited decision does whatever service makes it, as authtrail defines the
// audit: one HMAC of the credential (its fingerprint), the JSON bytes of one decision record, the
// SHA-256 that chains it (docs/integrity.md) and the positioned write of the sequence ledger
// (what keeps the count of lost events exact after a SIGKILL), which concurrent decisions share
// as authn's do: one per event-loop turn. Each through the cheapest primitive known here: the HMAC
// from pads prepared once (libs/events' hmacSha256, as authn's fingerprints) and one-shot
// `crypto.hash`. The benches measure it beside authtrail in the same run: what authtrail spends
// beyond it is its own overhead.
import { createSecretKey, hash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hmacSha256 } from '@authtrail/events';
import { sampleDecisionEvent } from './sample-decision';

export interface AuditedFloor {
  /** One audited decision's mandatory work for a presented `credential`, its own ledger write included (a hot loop). */
  decide(credential: string): Buffer;
  /** The same with the ledger write shared by every decision of this event-loop turn, done before any is used. */
  decideInTurn(credential: string): Promise<Buffer>;
  close(): void;
}

export function auditedFloor(): AuditedFloor {
  const mac = hmacSha256(createSecretKey(randomBytes(32)));
  const record = sampleDecisionEvent('bench-floor', false);
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  const ledger = openSync(join(dir, 'floor.ledger'), 'w');
  const ledgerRecord = Buffer.alloc(128, 0x30);
  const writeLedger = () => writeSync(ledger, ledgerRecord, 0, ledgerRecord.length, 0);
  const recordBytes = (credential: string) => {
    mac.hex(credential);
    const bytes = Buffer.from(JSON.stringify(record), 'utf8');
    hash('sha256', bytes, 'hex');
    return bytes;
  };
  let turnWrite: Promise<void> | undefined;
  return {
    decide(credential) {
      const bytes = recordBytes(credential);
      writeLedger();
      return bytes;
    },
    async decideInTurn(credential) {
      const bytes = recordBytes(credential);
      await (turnWrite ??= new Promise((resolve) =>
        setImmediate(() => {
          turnWrite = undefined;
          writeLedger();
          resolve();
        }),
      ));
      return bytes;
    },
    close() {
      closeSync(ledger);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CPU µs per call of `operation` over `count` calls (best of `rounds`). */
export function cpuMicrosPerCall(operation: (i: number) => unknown, count: number, rounds = 3): number {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) operation(i);
    const cpu = process.cpuUsage(before);
    best = Math.min(best, (cpu.user + cpu.system) / count);
  }
  return best;
}
