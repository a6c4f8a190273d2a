// A producer chain for the export/verify specs, made by the integrity library with real decision
// events: 30 decisions by three users over three partitions, a signed checkpoint after every 10.
import { TOPICS, decisionEvent, encodeEvent, eventSource } from '@authtrail/events';
import { ChainWriter, CheckpointSigner, type SigningKey } from '@authtrail/integrity';

export const CHAIN_BOOT = '019af2b0-0000-7000-8000-000000000001';
const USERS = ['alice', 'bob', 'carol'];

export interface ChainedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly sequence: number;
  readonly value: Buffer;
}

/** In chain order; decisions on `topics.decisions` partition n % 3, checkpoints on `topics.control` partition 0. */
export function chainedDecisions(key: SigningKey, topics: { readonly decisions: string; readonly control: string } = TOPICS): ChainedRecord[] {
  const writer = new ChainWriter({ instance: 'authn-0', boot: CHAIN_BOOT });
  const signer = new CheckpointSigner({ key, everyEvents: 10, everyMillis: 3_600_000, startedAt: 0 });
  const source = eventSource('authn', 'authn-0');
  const records: ChainedRecord[] = [];
  for (let n = 1; n <= 30; n += 1) {
    const time = new Date(Date.UTC(2026, 11, 6, 10, 0, 0, n));
    const position = writer.next();
    const event = decisionEvent({
      id: `019af2b0-0000-7000-8000-${String(n).padStart(12, '0')}`,
      time,
      source,
      data: { decision: 'allow', httpStatus: 200, reason: 'ok', attempts: [{ strategy: 'static-token', outcome: 'authenticated' }], user: { username: USERS[n % 3] ?? 'alice', groups: [], extra: {} }, request: { endpoint: 'tokenreview' }, instance: 'authn-0', boot: CHAIN_BOOT, sequence: n },
    });
    const value = encodeEvent({ ...event, ...position } as typeof event);
    writer.commit(value, event.time);
    records.push({ topic: topics.decisions, partition: n % 3, sequence: position.chainseq, value });
    if (signer.due(writer, 0)) {
      const written = signer.checkpoint(writer, { id: `019af2b0-0000-7000-9000-${String(n).padStart(12, '0')}`, time, source });
      if (written) records.push({ topic: topics.control, partition: 0, sequence: written.event.chainseq, value: written.record.value });
    }
  }
  return records;
}
