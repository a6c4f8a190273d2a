import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ledgerFiles } from './ledger-files.fixture';
import { startProducerBoot } from './producer-boot';
import { readLedger } from './sequence-ledger';

const BOOTS = ['0194a1b2-c3d4-7e5f-8a9b-000000000001', '0194a1b2-c3d4-7e5f-8a9b-000000000002', '0194a1b2-c3d4-7e5f-8a9b-000000000003'];

describe('producer boot', () => {
  const files = ledgerFiles('authn-boot');
  const ledgerFile = () => files.next();

  it('a first boot has nothing to report; sequences count from 1 and each one is in the ledger before it is used', () => {
    const file = ledgerFile();
    const boot = startProducerBoot({ instance: 'authn-0', boot: BOOTS[0] as string, ledgerFile: file });
    expect(boot.unfinished).toBeUndefined();
    for (const expected of [1, 2, 3]) {
      expect(boot.nextSequence()).toBe(expected);
      expect(readLedger(file)).toMatchObject({ record: { lastSequence: expected, state: 'running' } });
    }
    boot.close();
  });

  it('a boot that ended without stopping (crash) is found by the next one with its exact last sequence and drops', () => {
    const file = ledgerFile();
    const crashed = startProducerBoot({ instance: 'authn-0', boot: BOOTS[0] as string, ledgerFile: file });
    for (let i = 0; i < 7; i += 1) crashed.nextSequence();
    crashed.recordDrop();
    crashed.nextSequence();
    // No stopped(), no close(): the process died here.
    const next = startProducerBoot({ instance: 'authn-0', boot: BOOTS[1] as string, ledgerFile: file });
    expect(next.unfinished).toEqual({ boot: BOOTS[0], state: 'running', lastSequence: 8, dropped: 1 });
    expect(next.nextSequence()).toBe(1);
    next.close();
    crashed.close();
  });

  it('a boot that stopped cleanly is not reported by the next one', () => {
    const file = ledgerFile();
    const first = startProducerBoot({ instance: 'authn-0', boot: BOOTS[0] as string, ledgerFile: file });
    first.nextSequence();
    first.stopped();
    first.close();
    const second = startProducerBoot({ instance: 'authn-0', boot: BOOTS[1] as string, ledgerFile: file });
    expect(second.unfinished).toBeUndefined();
    second.close();
  });

  it('an unreadable ledger is told and reports nothing', () => {
    const file = ledgerFile();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'garbage');
    const told: string[] = [];
    const boot = startProducerBoot({ instance: 'authn-0', boot: BOOTS[2] as string, ledgerFile: file, onUnreadableLedger: (f) => told.push(f) });
    expect(told).toEqual([file]);
    expect(boot.unfinished).toBeUndefined();
    boot.close();
  });

  it('status says how far the boot got', () => {
    const boot = startProducerBoot({ instance: 'authn-0', boot: BOOTS[0] as string });
    boot.nextSequence();
    boot.nextSequence();
    boot.recordDrop();
    expect(boot.status('running')).toEqual({ instance: 'authn-0', boot: BOOTS[0], state: 'running', lastSequence: 2, dropped: 1 });
    expect(boot.dropped()).toBe(1);
  });
});
