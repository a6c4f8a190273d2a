import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isPublishError } from '../bus.errors';
import { noMetrics } from '../bus.metrics';
import { silentLogger, type BusLogger } from '../bus.logger';
import type { BusRecord } from '../bus.port';
import { PUBLISHER_DEFAULTS, type ResolvedPublisherSettings } from '../kafka/kafka-bus.config';
import { DiskSpool } from '../spool/disk-spool';
import { encodeFrame } from '../spool/record-frame.codec';
import { QueuedPublisher } from './queued-publisher';
import { RecordsTooLargeError, type RecordTransport } from './record-transport.port';

/**
 * A transport that records what it "acknowledged". `down`: the broker is unreachable (prepare
 * fails, nothing is handed over). `failSends`: a send fails after the records were handed over
 * (they may have landed). `gate` holds a send on the wire; `prepareGate` holds the preparation.
 */
class FakeTransport implements RecordTransport {
  readonly sent: BusRecord[] = [];
  /** Every record given to `send`, acknowledged or not. */
  readonly handedOver: BusRecord[] = [];
  down = false;
  failSends = 0;
  gate: Promise<void> | undefined;
  prepareGate: Promise<void> | undefined;
  /** Like a broker's message.max.bytes: a batch whose values add up to more is refused whole. */
  maxValueBytes = Infinity;
  /** Every batch given to `send`, refused or not. */
  readonly batches: BusRecord[][] = [];
  sends = 0;
  async prepare(): Promise<void> {
    if (this.prepareGate) await this.prepareGate;
    if (this.down) throw new Error('broker unreachable');
  }
  async send(records: readonly BusRecord[]): Promise<void> {
    this.sends += 1;
    this.handedOver.push(...records);
    this.batches.push([...records]);
    if (this.gate) await this.gate;
    if (valueBytes(records) > this.maxValueBytes) throw new RecordsTooLargeError('refused as too large');
    if (this.down) throw new Error('broker down');
    if (this.failSends > 0) {
      this.failSends -= 1;
      throw new Error('request timed out');
    }
    this.sent.push(...records);
  }
  reset(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  ids(): number[] {
    return this.sent.map(idOf);
  }
  handedOverIds(): number[] {
    return this.handedOver.map(idOf);
  }
}

/** A promise the test opens by hand. */
function gate(): { promise: Promise<void>; open(): void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const SECRET_FREE = 'no-secret';
const record = (i: number): BusRecord => ({ topic: 't.v1', key: `k${i % 5}`, value: Buffer.from(JSON.stringify({ id: i, note: SECRET_FREE })) });
const idOf = (r: BusRecord): number => JSON.parse(r.value.toString()).id;
/** A record whose value is about `bytes` long. */
const large = (i: number, bytes: number): BusRecord => ({ topic: 't.v1', key: `k${i % 5}`, value: Buffer.from(JSON.stringify({ id: i, pad: 'x'.repeat(bytes) })) });
const valueBytes = (records: readonly BusRecord[]): number => records.reduce((sum, r) => sum + r.value.length, 0);
/** A logger that keeps the messages of its lines, by level. */
function keptLines(): { logger: BusLogger; lines: Record<'info' | 'warn' | 'error', string[]> } {
  const lines = { info: [] as string[], warn: [] as string[], error: [] as string[] };
  return { lines, logger: { info: (_f, m) => lines.info.push(m), warn: (_f, m) => lines.warn.push(m), error: (_f, m) => lines.error.push(m) } };
}
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 400 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

describe('queued publisher', () => {
  let dir: string;
  const opened: QueuedPublisher[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'publisher-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  function publisher(transport: RecordTransport, settings: Partial<ResolvedPublisherSettings> = {}, maxBytes = 1 << 20, logger: BusLogger = silentLogger): QueuedPublisher {
    const p = new QueuedPublisher({
      transport,
      spool: DiskSpool.open({ dir, maxBytes }),
      settings: { ...PUBLISHER_DEFAULTS, closeTimeoutMs: 200, ...settings },
      metrics: noMetrics,
      logger,
    });
    opened.push(p);
    return p;
  }

  it('buffered: records are sent in publish order, in batches of at most maxRecords, and flush waits for the ack', async () => {
    const transport = new FakeTransport();
    const p = publisher(transport, { maxRecords: 7 });
    const results = await Promise.all(range(50).map((i) => p.publish(record(i))));
    expect(results.every((r) => !r.dropped)).toBe(true);
    await p.flush(2_000);
    expect(transport.ids()).toEqual(range(50));
    expect(transport.sends).toBeGreaterThanOrEqual(8);
    expect(p.stats()).toMatchObject({ published: 50, acknowledged: 50, buffered: 0, spooled: 0, dropped: 0 });
  });

  it('buffered: while the transport fails, publish resolves at once, records reach the spool, and recovery delivers them all in order', async () => {
    const transport = new FakeTransport();
    transport.down = true;
    const p = publisher(transport, { maxRecords: 10, memoryBufferRecords: 20 });
    for (const i of range(100)) expect(await p.publish(record(i))).toEqual({ dropped: false });
    await until(() => p.stats().spooled > 0, 'the spool to fill');
    transport.down = false;
    await p.flush(5_000);
    expect(transport.ids()).toEqual(range(100));
    expect(p.stats()).toMatchObject({ spooled: 0, spoolBytes: 0, buffered: 0, dropped: 0 });
  });

  it('buffered: a batch taken from memory that fails keeps its place before records spilled while it was in flight', async () => {
    const transport = new FakeTransport();
    let release: () => void = () => undefined;
    transport.gate = new Promise((r) => (release = r));
    const p = publisher(transport, { maxRecords: 5, memoryBufferRecords: 5, lingerMs: 0 });
    for (const i of range(5)) await p.publish(record(i));
    await until(() => transport.sends === 1, 'the first batch to be in flight');
    for (const i of range(20, 5)) await p.publish(record(i));
    expect(p.stats().spooled).toBeGreaterThan(0);
    transport.failSends = 1;
    transport.gate = undefined;
    release();
    await until(() => transport.sends > 1, 'a retry');
    await p.flush(5_000);
    expect(transport.ids()).toEqual(range(25));
  });

  it('buffered: when memory and spool are both full, publish resolves dropped and every drop is counted', async () => {
    const transport = new FakeTransport();
    transport.down = true;
    const frame = encodeFrame(record(0)).length;
    const p = publisher(transport, { memoryBufferRecords: 10 }, frame * 10);
    const results = await Promise.all(range(40).map((i) => p.publish(record(i))));
    const dropped = results.filter((r) => r.dropped).length;
    expect(dropped).toBe(40 - 10 - 10);
    expect(p.stats()).toMatchObject({ published: 40, dropped, buffered: 10, spooled: 10 });
  });

  it('strict: publish resolves only after the transport acknowledged the record', async () => {
    const transport = new FakeTransport();
    const p = publisher(transport, { mode: 'strict' });
    await expect(p.publish(record(1))).resolves.toEqual({ dropped: false });
    expect(transport.ids()).toEqual([1]);
  });

  it('strict: publish rejects with publish_timeout while the transport is down, without the record in the message', async () => {
    const transport = new FakeTransport();
    transport.down = true;
    const p = publisher(transport, { mode: 'strict', strictTimeoutMs: 300 });
    const error = await p.publish(record(1)).catch((e: unknown) => e);
    expect(isPublishError(error) && error.code).toBe('publish_timeout');
    expect(String((error as Error).message)).not.toContain(SECRET_FREE);
    expect(p.stats().spooled).toBe(0);
  });

  it('strict: a batch stalled on the wire past the deadline is not refused and resolves with the ack; a record waiting behind it past its deadline is refused and never sent, also after the stall ends', async () => {
    const transport = new FakeTransport();
    const stall = gate();
    transport.gate = stall.promise;
    const p = publisher(transport, { mode: 'strict', strictTimeoutMs: 100, lingerMs: 0 });
    const onTheWire = p.publish(record(1));
    await until(() => transport.sends === 1, 'the batch on the wire');
    let settled = false;
    void onTheWire.then(() => (settled = true), () => (settled = true));
    await expect(p.publish(record(2))).rejects.toMatchObject({ code: 'publish_timeout' });
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    stall.open();
    transport.gate = undefined;
    await expect(onTheWire).resolves.toEqual({ dropped: false });
    await expect(p.publish(record(3))).resolves.toEqual({ dropped: false });
    expect(transport.handedOverIds()).toEqual([1, 3]);
    expect(transport.ids()).toEqual([1, 3]);
  });

  it('strict: a record whose deadline passes while the transport is still connecting is refused and never sent', async () => {
    const transport = new FakeTransport();
    const connecting = gate();
    transport.prepareGate = connecting.promise;
    const p = publisher(transport, { mode: 'strict', strictTimeoutMs: 100, lingerMs: 0 });
    await expect(p.publish(record(1))).rejects.toMatchObject({ code: 'publish_timeout' });
    connecting.open();
    transport.prepareGate = undefined;
    await expect(p.publish(record(2))).resolves.toEqual({ dropped: false });
    expect(transport.handedOverIds()).toEqual([2]);
  });

  it('strict: a handed-over batch whose send fails is sent again until acknowledged, and its callers resolve, never refused', async () => {
    const transport = new FakeTransport();
    transport.failSends = 4;
    const p = publisher(transport, { mode: 'strict', strictTimeoutMs: 50, lingerMs: 0 });
    const results = await Promise.allSettled([p.publish(record(1)), p.publish(record(2))]);
    expect(results).toEqual([
      { status: 'fulfilled', value: { dropped: false } },
      { status: 'fulfilled', value: { dropped: false } },
    ]);
    expect(transport.sends).toBe(5);
    expect(transport.ids()).toEqual([1, 2]);
  });

  it('strict: close with the transport down refuses what was never sent, keeps what was handed over in the spool (resolved), and the next start sends it first', async () => {
    const transport = new FakeTransport();
    transport.failSends = Number.MAX_SAFE_INTEGER;
    const p = publisher(transport, { mode: 'strict', strictTimeoutMs: 60_000, lingerMs: 0, maxRecords: 2 });
    const handedOver = [p.publish(record(1)), p.publish(record(2))];
    await until(() => transport.sends >= 1, 'the first send');
    transport.down = true;
    const neverSent = p.publish(record(3));
    await p.close();
    await expect(Promise.all(handedOver)).resolves.toEqual([{ dropped: false }, { dropped: false }]);
    await expect(neverSent).rejects.toMatchObject({ code: 'publisher_closed' });
    expect(p.stats().spooled).toBe(2);

    const up = new FakeTransport();
    const next = publisher(up, { mode: 'strict' });
    await next.publish(record(4));
    expect(up.ids()).toEqual([1, 2, 4]);
  });

  it('strict: a full queue rejects at once with buffer_full', async () => {
    const transport = new FakeTransport();
    transport.down = true;
    const p = publisher(transport, { mode: 'strict', strictTimeoutMs: 300, memoryBufferRecords: 2 });
    const pending = [p.publish(record(1)), p.publish(record(2))].map((x) => x.catch(() => undefined));
    await expect(p.publish(record(3))).rejects.toMatchObject({ code: 'buffer_full' });
    await Promise.all(pending);
  });

  it('close with the transport down leaves memory in the spool, and the next publisher on that spool sends it first', async () => {
    const down = new FakeTransport();
    down.down = true;
    const first = publisher(down, { lingerMs: 1_000 });
    for (const i of range(30)) await first.publish(record(i));
    await first.close();
    expect(first.stats().spooled).toBe(30);
    await expect(first.publish(record(99))).rejects.toMatchObject({ code: 'publisher_closed' });

    const up = new FakeTransport();
    const second = publisher(up);
    await second.publish(record(30));
    await second.flush(2_000);
    expect(up.ids()).toEqual(range(31));
  });

  it('flush rejects with flush_timeout when the transport stays down', async () => {
    const transport = new FakeTransport();
    transport.down = true;
    const p = publisher(transport);
    await p.publish(record(1));
    await expect(p.flush(300)).rejects.toMatchObject({ code: 'flush_timeout' });
  });
  describe('batch size in bytes (Kafka refuses a record batch above message.max.bytes whole)', () => {
    it('a batch holds at most maxBatchBytes of records, however many maxRecords allows', async () => {
      const transport = new FakeTransport();
      const p = publisher(transport, { maxRecords: 500, maxBatchBytes: 10_000, lingerMs: 50 });
      await Promise.all(range(60).map((i) => p.publish(large(i, 1_000))));
      await p.flush(2_000);
      expect(transport.ids()).toEqual(range(60));
      // A value is only part of a record's size: ten of them alone fill 10,000 bytes.
      for (const batch of transport.batches) expect(valueBytes(batch)).toBeLessThanOrEqual(10_000);
      expect(transport.batches.length).toBeGreaterThanOrEqual(60 / 10);
      expect(Math.max(...transport.batches.map((b) => b.length))).toBeGreaterThan(1);
    });

    it('buffered: a batch Kafka refuses as too large is sent again in smaller batches, with nothing lost, in order, and no outage declared', async () => {
      const transport = new FakeTransport();
      transport.maxValueBytes = 3_500;
      const { logger, lines } = keptLines();
      const p = publisher(transport, { maxRecords: 500, lingerMs: 50 }, 1 << 20, logger);
      await Promise.all(range(40).map((i) => p.publish(large(i, 1_000))));
      await p.flush(5_000);
      expect(transport.ids()).toEqual(range(40));
      expect(p.stats()).toMatchObject({ acknowledged: 40, dropped: 0, buffered: 0, spooled: 0 });
      expect(transport.batches.some((b) => valueBytes(b) > 3_500)).toBe(true);
      expect(lines.warn).toContain('Kafka refused an event batch as too large: batches are smaller from now on');
      expect(lines.warn.filter((m) => m.includes('unreachable'))).toEqual([]);
    });

    it('buffered: records replayed from the spool are split the same way', async () => {
      const transport = new FakeTransport();
      transport.down = true;
      const p = publisher(transport, { maxRecords: 500, memoryBufferRecords: 10 });
      for (const i of range(50)) await p.publish(large(i, 1_000));
      await until(() => p.stats().spooled >= 40, 'the spool to fill');
      transport.down = false;
      transport.maxValueBytes = 3_500;
      await p.flush(5_000);
      expect(transport.ids()).toEqual(range(50));
      expect(p.stats()).toMatchObject({ dropped: 0, spooled: 0, spoolBytes: 0 });
    });

    it('buffered: a record Kafka refuses even alone is dropped and counted, and the records around it land', async () => {
      const transport = new FakeTransport();
      transport.maxValueBytes = 3_500;
      const { logger, lines } = keptLines();
      const p = publisher(transport, { lingerMs: 50 }, 1 << 20, logger);
      const records = [large(0, 100), large(1, 5_000), large(2, 100)];
      for (const r of records) await p.publish(r);
      await p.flush(2_000);
      expect(transport.ids()).toEqual([0, 2]);
      expect(p.stats()).toMatchObject({ published: 3, acknowledged: 2, dropped: 1, buffered: 0 });
      expect(lines.error).toEqual(['Kafka refused an event record as larger than it accepts: it is dropped']);
    });

    it('strict: the publish of a record Kafka refuses even alone rejects with record_too_large, the others resolve', async () => {
      const transport = new FakeTransport();
      transport.maxValueBytes = 3_500;
      const p = publisher(transport, { mode: 'strict', lingerMs: 50 });
      const [small, refused, after] = [p.publish(large(0, 100)), p.publish(large(1, 5_000)), p.publish(large(2, 100))].map((x) => x.catch((e: unknown) => e));
      await expect(small).resolves.toEqual({ dropped: false });
      const error = await refused;
      expect(isPublishError(error) && error.code).toBe('record_too_large');
      expect(String((error as Error).message)).not.toContain('xxxx');
      await expect(after).resolves.toEqual({ dropped: false });
      expect(transport.ids()).toEqual([0, 2]);
    });
  });
});
