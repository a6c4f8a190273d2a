import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isPublishError } from '../bus.errors';
import { noMetrics } from '../bus.metrics';
import { silentLogger } from '../bus.logger';
import type { BusRecord } from '../bus.port';
import { PUBLISHER_DEFAULTS, type ResolvedPublisherSettings } from '../kafka/kafka-bus.config';
import { DiskSpool } from '../spool/disk-spool';
import { encodeFrame } from '../spool/record-frame.codec';
import { QueuedPublisher } from './queued-publisher';
import type { RecordTransport } from './record-transport.port';

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
  sends = 0;
  async prepare(): Promise<void> {
    if (this.prepareGate) await this.prepareGate;
    if (this.down) throw new Error('broker unreachable');
  }
  async send(records: readonly BusRecord[]): Promise<void> {
    this.sends += 1;
    this.handedOver.push(...records);
    if (this.gate) await this.gate;
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

  function publisher(transport: RecordTransport, settings: Partial<ResolvedPublisherSettings> = {}, maxBytes = 1 << 20): QueuedPublisher {
    const p = new QueuedPublisher({
      transport,
      spool: DiskSpool.open({ dir, maxBytes }),
      settings: { ...PUBLISHER_DEFAULTS, closeTimeoutMs: 200, ...settings },
      metrics: noMetrics,
      logger: silentLogger,
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
});
