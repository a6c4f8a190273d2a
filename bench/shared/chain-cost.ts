// What the integrity chain adds to a decision on the request path (issue #21 item 6: ≤ 5 µs):
// the same decision event published through a producer's chained publisher and through a plain
// one, both handing the record to a publisher that keeps nothing, measured in the same run.
import { generateKeyPairSync } from 'node:crypto';
import { createChainedPublisher, plainEventPublisher, type EventPublisher } from '@authtrail/authentication';
import type { Publisher } from '@authtrail/event-bus';
import { TOPICS } from '@authtrail/events';
import { ChainWriter, CheckpointSigner, loadSigningKey, verificationKeysOf } from '@authtrail/integrity';
import pino from 'pino';
import { sampleDecisionEvent } from './sample-decision';

export interface ChainCost {
  readonly plainMicros: number;
  readonly chainedMicros: number;
}

const discard: Publisher = {
  publish: async () => ({ dropped: false }),
  flush: async () => undefined,
  close: async () => undefined,
  stats: () => ({ published: 0, acknowledged: 0, buffered: 0, spooled: 0, spoolBytes: 0, dropped: 0 }),
};

/** CPU µs per publish of `publisher` over `count` publishes (best of `rounds`). */
async function cpuPerPublish(publisher: EventPublisher, count: number, rounds: number): Promise<number> {
  const event = sampleDecisionEvent('bench-chain', false);
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) await publisher.publish(TOPICS.decisions, event);
    const cpu = process.cpuUsage(before);
    best = Math.min(best, (cpu.user + cpu.system) / count);
  }
  return best;
}

export async function measureChainCost(count = 100_000, rounds = 3): Promise<ChainCost> {
  const key = loadSigningKey({ id: 'bench', key: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
  const writer = new ChainWriter({ instance: 'bench-chain', boot: '0194a1b2-c3d4-7e5f-8a9b-00000000beef' });
  // The production cadence: a signed checkpoint every 1000 events.
  const signer = new CheckpointSigner({ key, everyEvents: 1000, everyMillis: 10_000, startedAt: Date.now() });
  const chained = createChainedPublisher({ publisher: discard, writer, signer, keys: verificationKeysOf([key]), source: '/authtrail/authn/bench-chain', newEventId: () => '0194a1b2-c3d4-7e5f-8a9b-00000000cafe', now: () => new Date(), pollMs: 1_000, onCheckpoint: () => undefined, logger: pino({ level: 'silent' }) });
  try {
    const plainMicros = await cpuPerPublish(plainEventPublisher(discard), count, rounds);
    const chainedMicros = await cpuPerPublish(chained, count, rounds);
    return { plainMicros, chainedMicros };
  } finally {
    chained.close();
  }
}
