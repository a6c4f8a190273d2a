// The least work one audited decision does whatever service makes it, as authtrail defines the
// audit: one HMAC of the credential (its fingerprint), the JSON bytes of one decision record, the
// SHA-256 that chains it (docs/integrity.md) and one positioned write of the sequence ledger
// (what keeps the count of lost events exact after a SIGKILL). The benches measure it beside
// authtrail in the same run: what authtrail spends beyond it is its own overhead.
import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleDecisionEvent } from './sample-decision';

export interface AuditedFloor {
  /** One audited decision's mandatory work for a presented `credential`. */
  decide(credential: string): Buffer;
  close(): void;
}

export function auditedFloor(): AuditedFloor {
  const hmacKey = createSecretKey(randomBytes(32));
  const record = sampleDecisionEvent('bench-floor', false);
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  const ledger = openSync(join(dir, 'floor.ledger'), 'w');
  const ledgerRecord = Buffer.alloc(128, 0x30);
  return {
    decide(credential) {
      createHmac('sha256', hmacKey).update(credential).digest('hex');
      const bytes = Buffer.from(JSON.stringify(record), 'utf8');
      createHash('sha256').update(bytes).digest('hex');
      writeSync(ledger, ledgerRecord, 0, ledgerRecord.length, 0);
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
