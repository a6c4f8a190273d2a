// The sequence ledger is written once per event-loop turn (producer-boot.ts), and still before any
// decision event leaves: a process that dies at any point leaves a ledger covering every sequence
// that reached the bus or a caller. The publisher below reads the ledger file as each event arrives.
import type { BusRecord, Publisher } from '@authtrail/event-bus';
import type { AuthOutcome, RequestView } from '@authtrail/strategies';
import pino from 'pino';
import { createDecisionService, noDecisionMetrics, type AuthChain } from '../decision.service';
import { noopPolicyHook } from '../policy-hook';
import type { BuiltView } from '../request-view/request-view';
import { ledgerFiles } from './ledger-files.fixture';
import { startProducerBoot } from './producer-boot';
import { readLedger } from './sequence-ledger';

const BOOT = '0194a1b2-c3d4-7e5f-8a9b-000000000001';
const view = (token: string): BuiltView => ({
  view: { headers: { authorization: `Bearer ${token}` }, peerCertificates: [], sourceIp: '192.0.2.1', method: 'GET', path: '/', audiences: [], tls: true } satisfies RequestView,
  forwardedFor: [],
});

const allowing: AuthChain = {
  async authenticateWithTrace() {
    const outcome: AuthOutcome = { kind: 'authenticated', user: { username: 'alice', groups: [], extra: {} }, credential: { type: 'static-token' } };
    return { outcome, attempts: [{ strategy: 'static-token', outcome: 'authenticated' as const }], strategy: 'static-token' };
  },
};

/** Each event's sequence beside the ledger's lastSequence at the moment the event was handed over. */
function ledgerReadingPublisher(file: string): Publisher & { readonly seen: { sequence: number; ledger: number }[] } {
  const seen: { sequence: number; ledger: number }[] = [];
  return {
    seen,
    async publish(record: BusRecord) {
      const { data } = JSON.parse(record.value.toString('utf8')) as { data: { sequence: number } };
      const ledger = readLedger(file);
      seen.push({ sequence: data.sequence, ledger: ledger.kind === 'ok' ? ledger.record.lastSequence : -1 });
      return { dropped: false };
    },
    flush: async () => undefined,
    close: async () => undefined,
    stats: () => ({ published: seen.length, acknowledged: 0, buffered: 0, spooled: 0, spoolBytes: 0, dropped: 0 }),
  };
}

describe('the sequence ledger before the decision events', () => {
  const files = ledgerFiles('authn-ledger-order');

  const service = (file: string, publisher: Publisher) =>
    createDecisionService({
      chain: allowing,
      policy: noopPolicyHook,
      publisher,
      eventsMode: 'buffered',
      fingerprint: (secret) => `fp:${secret.length}`,
      usernameHash: (name) => `uh:${name}`,
      instance: 't',
      producer: startProducerBoot({ instance: 't', boot: BOOT, ledgerFile: file }),
      newEventId: () => '0194a1b2-c3d4-7e5f-8a9b-000000000002',
      now: () => new Date(),
      metrics: noDecisionMetrics,
      logger: pino({ level: 'silent' }),
    });

  it('no event is handed over before the ledger holds its sequence, one decision at a time', async () => {
    const file = files.next();
    const publisher = ledgerReadingPublisher(file);
    const decisions = service(file, publisher);
    for (let i = 0; i < 5; i += 1) await decisions.decide('forward-auth', view(`token-${i}`), 0n);
    expect(publisher.seen).toEqual([1, 2, 3, 4, 5].map((sequence) => ({ sequence, ledger: sequence })));
  });

  it('decisions made in the same turn share one ledger write, made before the first of their events leaves', async () => {
    const file = files.next();
    const publisher = ledgerReadingPublisher(file);
    const decisions = service(file, publisher);
    const concurrent = 20;
    await Promise.all(Array.from({ length: concurrent }, (_, i) => decisions.decide('forward-auth', view(`token-${i}`), 0n)));
    expect(publisher.seen.map((s) => s.sequence)).toEqual(Array.from({ length: concurrent }, (_, i) => i + 1));
    // Every event saw the ledger already at the turn's last sequence: written once, before any left.
    expect(publisher.seen.every((s) => s.ledger === concurrent)).toBe(true);
  });
});
