import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ledgerFiles } from './ledger-files.fixture';
import { startProducerBoot } from './producer-boot';
import { readLedger } from './sequence-ledger';

const BOOTS = ['0194a1b2-c3d4-7e5f-8a9b-000000000001', '0194a1b2-c3d4-7e5f-8a9b-000000000002', '0194a1b2-c3d4-7e5f-8a9b-000000000003'];

describe('producer boot', () => {
  const files = ledgerFiles('authn-boot');
  const ledgerFile = () => files.next();

  it('a first boot has nothing to report; sequences count from 1 and each one is in the ledger once ledgerWritten resolves', async () => {
    const file = ledgerFile();
    const boot = startProducerBoot({ instance: 'authn-0', boot: BOOTS[0] as string, ledgerFile: file });
    expect(boot.unfinished).toBeUndefined();
    for (const expected of [1, 2, 3]) {
      expect(boot.nextSequence()).toBe(expected);
      await boot.ledgerWritten();
      expect(readLedger(file)).toMatchObject({ record: { lastSequence: expected, state: 'running' } });
    }
    boot.close();
  });

  it('the sequences handed out in one event-loop turn are written together at its end', async () => {
    const file = ledgerFile();
    const boot = startProducerBoot({ instance: 'authn-0', boot: BOOTS[0] as string, ledgerFile: file });
    const handedOut = [boot.nextSequence(), boot.nextSequence(), boot.nextSequence()];
    const written = boot.ledgerWritten();
    // Still this turn: the ledger says what the boot started with.
    expect(readLedger(file)).toMatchObject({ record: { lastSequence: 0 } });
    await written;
    expect(readLedger(file)).toMatchObject({ record: { lastSequence: handedOut.at(-1) } });
    // A later turn's sequences get a write of their own.
    expect(boot.nextSequence()).toBe(4);
    await boot.ledgerWritten();
    expect(readLedger(file)).toMatchObject({ record: { lastSequence: 4 } });
    boot.close();
  });

  it('without a ledger the sequences are usable at once', async () => {
    const boot = startProducerBoot({ instance: 'authn-0', boot: BOOTS[0] as string });
    boot.nextSequence();
    await expect(boot.ledgerWritten()).resolves.toBeUndefined();
  });

  it('a write still pending when the boot closes resolves without writing', async () => {
    const file = ledgerFile();
    const boot = startProducerBoot({ instance: 'authn-0', boot: BOOTS[0] as string, ledgerFile: file });
    boot.nextSequence();
    const written = boot.ledgerWritten();
    boot.close();
    await expect(written).resolves.toBeUndefined();
    expect(readLedger(file)).toMatchObject({ record: { lastSequence: 0 } });
  });

  it('a boot that ended without stopping (crash) is found by the next one with its exact last sequence and drops', async () => {
    const file = ledgerFile();
    const crashed = startProducerBoot({ instance: 'authn-0', boot: BOOTS[0] as string, ledgerFile: file });
    for (let i = 0; i < 7; i += 1) crashed.nextSequence();
    crashed.recordDrop();
    crashed.nextSequence();
    // The last sequence is used once written; then no stopped(), no close(): the process died here.
    await crashed.ledgerWritten();
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
