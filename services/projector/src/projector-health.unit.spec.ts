import { healthVerdict, nextHealthState, type HealthSample, type HealthState } from './projector-health';

const STALL_AFTER = 10_000;
const sample = (at: number, lag: number, projected: bigint): HealthSample => ({ at, partitions: [{ topic: 'd', partition: 0, lag }], projected });
const fold = (samples: readonly HealthSample[]): HealthState => samples.reduce(nextHealthState, { lastProgressAt: 0, lastAnsweredAt: 0 } as HealthState);

describe('projector health verdict', () => {
  it('records pending while the checkpoints move is healthy, with the lag reported', () => {
    const state = fold([sample(1_000, 50, 10n), sample(20_000, 40, 20n)]);
    expect(healthVerdict(state, 21_000, STALL_AFTER)).toEqual({ healthy: true, body: { status: 'ok', lag: 40, partitions: [{ topic: 'd', partition: 0, lag: 40 }], secondsSinceProgress: 1 } });
  });

  it('records pending with no checkpoint moving for longer than stallAfter is a stall (503) naming the lag', () => {
    const state = fold([sample(1_000, 30, 10n), sample(5_000, 30, 10n), sample(12_000, 30, 10n)]);
    const verdict = healthVerdict(state, 12_000, STALL_AFTER);
    expect(verdict.healthy).toBe(false);
    expect(verdict.body).toMatchObject({ status: 'stalled', lag: 30, secondsSinceProgress: 11, reason: '30 records pending and no batch committed for 11 s' });
  });

  it('nothing pending is never a stall, however long nothing moved', () => {
    const state = fold([sample(1_000, 0, 10n), sample(60_000, 0, 10n)]);
    expect(healthVerdict(state, 60_000, STALL_AFTER).healthy).toBe(true);
  });

  it('Kafka not answering is healthy (waiting) for stallAfter, then 503 unreachable, with the last known lag', () => {
    const state = fold([sample(1_000, 7, 10n), { at: 3_000, error: 'Kafka does not answer' }]);
    expect(healthVerdict(state, 3_000, STALL_AFTER)).toMatchObject({ healthy: true, body: { status: 'waiting', reason: 'Kafka does not answer for 2 s', lag: 7 } });
    expect(healthVerdict(state, 12_000, STALL_AFTER)).toMatchObject({ healthy: false, body: { status: 'unreachable', reason: 'Kafka does not answer for 11 s', lag: 7 } });
  });

  it('an answer after an outage counts as progress only if the checkpoints moved since the last answer', () => {
    const state = fold([sample(1_000, 5, 10n), { at: 4_000, error: 'Kafka does not answer' }, sample(14_000, 5, 10n)]);
    expect(healthVerdict(state, 14_000, STALL_AFTER).body.status).toBe('stalled');
  });

  it('before the first sample it says starting, healthy', () => {
    expect(healthVerdict({ lastProgressAt: 0, lastAnsweredAt: 0 }, 5_000, STALL_AFTER).body.status).toBe('starting');
  });
});
