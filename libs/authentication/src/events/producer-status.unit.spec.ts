import type { BusRecord, Publisher } from '@authtrail/event-bus';
import { decodeEvent, PRODUCER_STATUS_EVENT_TYPE, TOPICS, type ProducerStatusData } from '@authtrail/events';
import pino from 'pino';
import { startProducerBoot } from './producer-boot';
import { createProducerStatusReporter } from './producer-status';
import { ledgerFiles } from './ledger-files.fixture';
import { readLedger } from './sequence-ledger';

const BOOTS = ['0194a1b2-c3d4-7e5f-8a9b-000000000001', '0194a1b2-c3d4-7e5f-8a9b-000000000002'] as const;
const HEARTBEAT_MS = 30_000;
let ids = 0;
/** Keeps what was published; never fails, never drops. */
function recordingPublisher(): Publisher & { readonly records: BusRecord[] } {
  const records: BusRecord[] = [];
  const stats = () => ({ published: records.length, acknowledged: records.length, buffered: 0, spooled: 0, spoolBytes: 0, dropped: 0 });
  return { records, publish: async (record) => (records.push(record), { dropped: false }), flush: async () => undefined, close: async () => undefined, stats };
}
const newEventId = () => `0194a1b2-c3d4-7e5f-8a9b-${String(++ids).padStart(12, '0')}`;

function statuses(publisher: ReturnType<typeof recordingPublisher>): { key: string; data: ProducerStatusData }[] {
  return publisher.records.map((record) => {
    expect(record.topic).toBe(TOPICS.control);
    const decoded = decodeEvent(record.value);
    if (!decoded.ok || decoded.event.type !== PRODUCER_STATUS_EVENT_TYPE) throw new Error('not a producer status event');
    return { key: record.key, data: decoded.event.data };
  });
}

describe('producer status reporter', () => {
  const files = ledgerFiles('authn-status');
  afterEach(() => jest.useRealTimers());

  const reporter = (file: string, boot: string, publisher = recordingPublisher()) => {
    const producer = startProducerBoot({ instance: 'authn-0', boot, ledgerFile: file });
    const status = createProducerStatusReporter({ producer, publisher, heartbeatIntervalMs: HEARTBEAT_MS, source: '/authtrail/authn/authn-0', newEventId, now: () => new Date('2026-12-01T00:00:00Z'), logger: pino({ level: 'silent' }) });
    return { producer, status, publisher };
  };

  it('a fresh start publishes running at 0, then a heartbeat every interval with the current numbers, keyed producer:<instance>', async () => {
    jest.useFakeTimers();
    const { producer, status, publisher } = reporter(files.next(), BOOTS[0]);
    await status.start();
    expect(statuses(publisher)).toEqual([{ key: 'producer:authn-0', data: { instance: 'authn-0', boot: BOOTS[0], state: 'running', lastSequence: 0, dropped: 0 } }]);
    producer.nextSequence();
    producer.nextSequence();
    producer.recordDrop();
    jest.advanceTimersByTime(HEARTBEAT_MS - 1);
    expect(publisher.records).toHaveLength(1);
    jest.advanceTimersByTime(1);
    jest.advanceTimersByTime(HEARTBEAT_MS);
    await Promise.resolve();
    expect(statuses(publisher).slice(1).map((s) => s.data)).toEqual([
      { instance: 'authn-0', boot: BOOTS[0], state: 'running', lastSequence: 2, dropped: 1 },
      { instance: 'authn-0', boot: BOOTS[0], state: 'running', lastSequence: 2, dropped: 1 },
    ]);
    await status.stop(async () => undefined);
    jest.advanceTimersByTime(10 * HEARTBEAT_MS);
    expect(publisher.records).toHaveLength(4);
    producer.close();
  });

  it('a clean stop publishes stopped with the final sequence, then marks the ledger clean once it is delivered', async () => {
    const file = files.next();
    const { producer, status, publisher } = reporter(file, BOOTS[0]);
    await status.start();
    producer.nextSequence();
    let flushed = 0;
    await status.stop(async () => {
      flushed += 1;
      expect(readLedger(file)).toMatchObject({ record: { state: 'running' } });
    });
    expect(flushed).toBe(1);
    expect(statuses(publisher).at(-1)?.data).toEqual({ instance: 'authn-0', boot: BOOTS[0], state: 'stopped', lastSequence: 1, dropped: 0 });
    expect(readLedger(file)).toMatchObject({ record: { state: 'stopped', lastSequence: 1 } });
    producer.close();
    // The next start has nothing to report.
    const next = reporter(file, BOOTS[1]);
    await next.status.start();
    expect(statuses(next.publisher).map((s) => s.data.state)).toEqual(['running']);
    await next.status.stop(async () => undefined);
    next.producer.close();
  });

  it('after a crash the next start reports the previous boot as lost with its exact last sequence, before its own running', async () => {
    const file = files.next();
    const crashed = reporter(file, BOOTS[0]);
    await crashed.status.start();
    for (let i = 0; i < 5; i += 1) crashed.producer.nextSequence();
    await crashed.producer.ledgerWritten();
    // The process dies: no stop(), no close().
    const next = reporter(file, BOOTS[1]);
    await next.status.start();
    expect(statuses(next.publisher).map((s) => s.data)).toEqual([
      { instance: 'authn-0', boot: BOOTS[0], state: 'lost', lastSequence: 5, dropped: 0 },
      { instance: 'authn-0', boot: BOOTS[1], state: 'running', lastSequence: 0, dropped: 0 },
    ]);
    await crashed.status.stop(async () => undefined);
    await next.status.stop(async () => undefined);
    crashed.producer.close();
    next.producer.close();
  });

  it('when the stopped status is not delivered the ledger stays running, so the next start reports the boot', async () => {
    const file = files.next();
    const { producer, status } = reporter(file, BOOTS[0]);
    await status.start();
    producer.nextSequence();
    await producer.ledgerWritten();
    await status.stop(async () => {
      throw new Error('flush timed out');
    });
    producer.close();
    expect(readLedger(file)).toMatchObject({ record: { state: 'running', lastSequence: 1 } });
  });
});
