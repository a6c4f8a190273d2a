import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { ledgerFiles } from './ledger-files.fixture';
import { ledgerFileOf, openSequenceLedger, readLedger } from './sequence-ledger';

const BOOT = '0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('sequence ledger', () => {
  const files = ledgerFiles('authn-ledger');
  const file = () => files.next();

  it('lives at <dataDir>/authn/<instance>.ledger, the instance percent-encoded into one file name', () => {
    expect(ledgerFileOf('/var/lib/authtrail', 'pod-7')).toBe('/var/lib/authtrail/authn/pod-7.ledger');
    expect(ledgerFileOf('/d', '../x/y z')).toBe('/d/authn/..%2Fx%2Fy%20z.ledger');
  });

  it('no ledger yet reads as absent', () => {
    expect(readLedger(file())).toEqual({ kind: 'absent' });
  });

  it('a fresh ledger says running at sequence 0 (its folder is created)', () => {
    const path = file();
    const ledger = openSequenceLedger(path, BOOT);
    expect(readLedger(path)).toEqual({ kind: 'ok', record: { boot: BOOT, state: 'running', lastSequence: 0, dropped: 0 } });
    ledger.close();
  });

  it('each record is on disk as soon as the call returns (what a crash right after leaves), in the same number of bytes', () => {
    const path = file();
    const ledger = openSequenceLedger(path, BOOT);
    const size = statSync(path).size;
    for (const [sequence, dropped] of [[1, 0], [2, 0], [10, 1], [Number.MAX_SAFE_INTEGER, 12]] as const) {
      ledger.record(sequence, dropped);
      expect(readLedger(path)).toEqual({ kind: 'ok', record: { boot: BOOT, state: 'running', lastSequence: sequence, dropped } });
      expect(statSync(path).size).toBe(size);
    }
    ledger.close();
  });

  it('a clean stop is recorded with the final numbers', () => {
    const path = file();
    const ledger = openSequenceLedger(path, BOOT);
    ledger.record(41, 2);
    ledger.stop(42, 2);
    ledger.close();
    expect(readLedger(path)).toEqual({ kind: 'ok', record: { boot: BOOT, state: 'stopped', lastSequence: 42, dropped: 2 } });
  });

  it('a new boot replaces the previous record', () => {
    const path = file();
    openSequenceLedger(path, BOOT).close();
    const next = '0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
    openSequenceLedger(path, next).close();
    expect(readLedger(path)).toMatchObject({ kind: 'ok', record: { boot: next, lastSequence: 0 } });
  });

  it.each([
    ['a file torn by a power loss', (text: string) => text.slice(0, 40)],
    ['an empty file', () => ''],
    ['a hand-edited sequence', (text: string) => text.replace(/lastSequence=\d+/, 'lastSequence=12')],
  ])('%s reads as unreadable', (_sentence, damage) => {
    const path = file();
    openSequenceLedger(path, BOOT).close();
    writeFileSync(path, damage(readFileSync(path, 'latin1')), 'latin1');
    expect(readLedger(path)).toEqual({ kind: 'unreadable' });
  });

  it('a boot id that is not a UUID is refused', () => {
    expect(() => openSequenceLedger(file(), 'boot\n1')).toThrow(RangeError);
  });
});
