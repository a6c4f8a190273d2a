// The publisher behind both publish modes. Records wait in a bounded memory queue; one sender
// loop sends batches through a RecordTransport (kafkajs has no linger, so the loop waits up to
// `lingerMs` for a batch to fill) and one batch is in flight at a time, which is what keeps
// per-key order.
//
// buffered: `publish` never waits on Kafka. When memory is full, or Kafka is unreachable, the
// memory queue is spilled to the disk spool. Order invariant: (batch in flight) < (spool) <
// (memory) — every spooled record is older than every record in memory, so the sender drains
// the spool before it takes from memory, and a failed batch taken from memory is *prepended* to
// the spool. Only when memory and spool are both full is a record dropped, and counted.
//
// strict: `publish` resolves on Kafka's ack. `strictTimeoutMs` bounds only the wait *before* the
// record is handed to Kafka: a record still waiting then is refused and never sent later. Once
// handed over (its batch reached `transport.send`) it may land, so its caller waits for the
// definitive outcome: a failed send is retried until Kafka acknowledges it. A refusal therefore
// always means "not recorded" (a caller answering 503 on it never has its event on the topic).
// Nothing new goes to the spool, except, at close, handed-over records Kafka has not acknowledged.
// A spool left by an earlier buffered run is still drained first.
//
// Batches are bounded by bytes as well as records (batch-size.ts). Should Kafka still refuse one as
// too large (a broker or topic with a lower message.max.bytes), batches shrink to half its size
// and the same records go again; a record refused alone can never land: it is dropped, counted.
//
// Delivery is at least once: a batch that failed may have partly landed and is sent again, and a
// crash replays a spool segment from its start. Consumers deduplicate on the event id.
import { performance } from 'node:perf_hooks';
import { PublishError } from '../bus.errors';
import { type BusLogger, errorName } from '../bus.logger';
import type { BusMetrics } from '../bus.metrics';
import type { BusRecord, Publisher, PublisherStats, PublishResult } from '../bus.port';
import type { ResolvedPublisherSettings } from '../kafka/kafka-bus.config';
import type { DiskSpool } from '../spool/disk-spool';
import { batchBytes, batchLength, recordBytes } from './batch-size';
import { RecordQueue } from './record-queue';
import { RecordsTooLargeError, type RecordTransport } from './record-transport.port';

export interface QueuedPublisherDeps {
  readonly transport: RecordTransport;
  readonly spool: DiskSpool;
  readonly settings: ResolvedPublisherSettings;
  readonly metrics: BusMetrics;
  readonly logger: BusLogger;
}

interface Entry {
  readonly record: BusRecord;
  readonly enqueuedAt: number;
  /** strict mode only. */
  readonly waiter?: { resolve(result: PublishResult): void; reject(error: Error): void; timer: NodeJS.Timeout };
  /** strict: refused (deadline passed before hand-over); never sent. */
  expired: boolean;
  /** Given to `transport.send` at least once: it may be in Kafka, so it is never refused. */
  handedOver: boolean;
}

type Work =
  | { readonly source: 'spool'; readonly records: readonly BusRecord[] }
  | { readonly source: 'memory'; readonly entries: readonly Entry[] };

const ACCEPTED: Promise<PublishResult> = Promise.resolve({ dropped: false });
const DROPPED: Promise<PublishResult> = Promise.resolve({ dropped: true });
const TICK_MS = 250;
const MAX_BACKOFF_MS = 2_000;

export class QueuedPublisher implements Publisher {
  private readonly memory = new RecordQueue<Entry>();
  private inFlight = 0;
  /** The spool segment being sent, and how far Kafka acknowledged it. */
  private reading: { id: number; records: readonly BusRecord[]; next: number } | undefined;
  private healthy = true;
  private failures = 0;
  private flushing = 0;
  private closed = false;
  private stopping = false;
  private wake: { fn: () => void; onAnyPush: boolean } | undefined;
  private drainedWaiters: Array<() => void> = [];
  private readonly counts = { published: 0, acknowledged: 0, dropped: 0 };
  private readonly loop: Promise<void>;
  private readonly ticker: NodeJS.Timeout;
  private ticks = 0;
  /** `maxBatchBytes`, or less once Kafka refused a batch as too large. */
  private maxBatchBytes: number;

  constructor(private readonly deps: QueuedPublisherDeps) {
    this.maxBatchBytes = deps.settings.maxBatchBytes;
    if (!deps.spool.isEmpty) {
      deps.logger.info({ records: deps.spool.records, bytes: deps.spool.bytes }, 'replaying the event spool left by an earlier run');
    }
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
    this.loop = this.run();
    this.report();
  }

  publish(record: BusRecord): Promise<PublishResult> {
    if (this.closed) return Promise.reject(new PublishError('publisher_closed', 'the event publisher is closed'));
    this.counts.published += 1;
    this.deps.metrics.published(record.topic);
    return this.deps.settings.mode === 'strict' ? this.publishStrict(record) : this.publishBuffered(record);
  }

  async flush(timeoutMs = this.deps.settings.closeTimeoutMs): Promise<void> {
    if (this.isDrained()) return;
    this.flushing += 1;
    this.wakeNow();
    let timer: NodeJS.Timeout | undefined;
    try {
      const drained = new Promise<boolean>((resolve) => this.drainedWaiters.push(() => resolve(true)));
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      if (!(await Promise.race([drained, timedOut]))) {
        const left = this.memory.length + this.inFlight + this.deps.spool.records;
        throw new PublishError('flush_timeout', `${left} event records still unacknowledged after ${timeoutMs} ms`);
      }
    } finally {
      clearTimeout(timer);
      this.flushing -= 1;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } catch {
      // Kafka is not there: what is left goes to the spool below, for the next start.
    }
    this.stopping = true;
    this.wakeNow();
    await this.loop;
    clearInterval(this.ticker);
    const left = this.memory.takeAll();
    if (this.deps.settings.mode === 'buffered') {
      const written = this.appendToSpool(left.map((e) => e.record));
      for (const entry of left.slice(written)) this.drop(entry.record);
      if (!this.deps.spool.isEmpty) {
        this.deps.logger.warn({ records: this.deps.spool.records }, 'event records left in the spool for the next start');
      }
    } else {
      this.closeStrict(left);
    }
    this.deps.spool.close();
    await this.deps.transport.close();
    this.report();
  }

  stats(): PublisherStats {
    return {
      ...this.counts,
      buffered: this.memory.length + this.inFlight,
      spooled: this.deps.spool.records,
      spoolBytes: this.deps.spool.bytes,
    };
  }

  private publishBuffered(record: BusRecord): Promise<PublishResult> {
    const { memoryBufferRecords } = this.deps.settings;
    if (this.memory.length >= memoryBufferRecords) this.spill();
    if (this.memory.length >= memoryBufferRecords) {
      this.drop(record);
      return DROPPED;
    }
    this.memory.push({ record, enqueuedAt: performance.now(), expired: false, handedOver: false });
    this.nudge();
    return ACCEPTED;
  }

  private publishStrict(record: BusRecord): Promise<PublishResult> {
    const { memoryBufferRecords, strictTimeoutMs } = this.deps.settings;
    if (this.memory.length >= memoryBufferRecords) {
      return Promise.reject(new PublishError('buffer_full', `the event queue is full (${memoryBufferRecords} records): Kafka is not keeping up`));
    }
    return new Promise<PublishResult>((resolve, reject) => {
      // Cleared when the record is handed over (handOver): from then on only Kafka's answer counts.
      const timer = setTimeout(() => {
        entry.expired = true;
        reject(new PublishError('publish_timeout', `the event could not be sent to Kafka within ${strictTimeoutMs} ms`));
      }, strictTimeoutMs);
      const entry: Entry = { record, enqueuedAt: performance.now(), expired: false, handedOver: false, waiter: { resolve, reject, timer } };
      this.memory.push(entry);
      this.nudge();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const work = this.nextWork();
        if (work === undefined) {
          this.notifyIfDrained();
          await this.idle();
          continue;
        }
        await this.deliver(work);
      } catch (error) {
        // The loop must outlive any surprise (a spool file removed under it, …).
        this.deps.logger.error({ error: errorName(error) }, 'event publisher loop error');
        await this.sleep(MAX_BACKOFF_MS);
      }
    }
  }

  private nextWork(): Work | undefined {
    const { maxRecords } = this.deps.settings;
    if (this.reading === undefined && !this.deps.spool.isEmpty) {
      const segment = this.deps.spool.oldest();
      if (segment) {
        if (segment.damage) this.deps.logger.warn({ segment: segment.id, damage: segment.damage, kept: segment.records.length }, 'spool segment ends in a damaged frame; the rest of it is skipped');
        this.reading = { id: segment.id, records: segment.records, next: 0 };
      }
    }
    if (this.reading) {
      if (this.reading.next >= this.reading.records.length) {
        this.deps.spool.release(this.reading.id);
        this.reading = undefined;
        return this.nextWork();
      }
      const { records, next } = this.reading;
      return { source: 'spool', records: records.slice(next, next + batchLength((i) => records[next + i], maxRecords, this.maxBatchBytes)) };
    }
    const oldest = this.memory.peek();
    if (oldest === undefined) return undefined;
    const lingering = this.memory.length < maxRecords && this.flushing === 0 && !this.closed;
    if (lingering && performance.now() - oldest.enqueuedAt < this.deps.settings.lingerMs) return undefined;
    const entries = this.memory.take(batchLength((i) => this.memory.at(i)?.record, maxRecords, this.maxBatchBytes)).filter((e) => !e.expired);
    if (entries.length === 0) return this.nextWork();
    this.inFlight = entries.length;
    return { source: 'memory', entries };
  }

  private async deliver(work: Work): Promise<void> {
    try {
      await this.deps.transport.prepare(new Set(work.source === 'spool' ? work.records.map((r) => r.topic) : work.entries.map((e) => e.record.topic)));
    } catch (error) {
      // Nothing was handed to Kafka: strict records keep their deadline.
      await this.failed(work, error);
      return;
    }
    const sending = work.source === 'spool' ? work : this.handOver(work.entries);
    if (sending === undefined) return;
    const records = sending.source === 'spool' ? sending.records : sending.entries.map((e) => e.record);
    try {
      await this.deps.transport.send(records);
    } catch (error) {
      await (error instanceof RecordsTooLargeError ? this.refusedAsTooLarge(sending, records) : this.failed(sending, error));
      return;
    }
    this.succeeded(sending, records);
  }

  /**
   * The line strict mode promises about: records whose deadline passed while the transport got
   * ready are left out (they were refused, so they must never be sent); the others lose their
   * deadline, because from here they may land in Kafka and only its answer may settle them.
   * Synchronous with the `send` call that follows, so no timer can fire in between.
   */
  private handOver(taken: readonly Entry[]): Work | undefined {
    const entries = taken.filter((e) => !e.expired);
    this.inFlight = entries.length;
    if (entries.length === 0) return undefined;
    for (const entry of entries) {
      entry.handedOver = true;
      if (entry.waiter) clearTimeout(entry.waiter.timer);
    }
    return { source: 'memory', entries };
  }

  private succeeded(work: Work, records: readonly BusRecord[]): void {
    if (!this.healthy) {
      this.healthy = true;
      this.deps.logger.info({ spooled: this.deps.spool.records, buffered: this.memory.length }, 'Kafka reachable again; replaying');
    }
    this.failures = 0;
    this.counts.acknowledged += records.length;
    for (const [topic, count] of countByTopic(records)) this.deps.metrics.acknowledged(topic, count);
    if (work.source === 'spool') {
      this.advanceSpool(records.length);
    } else {
      this.inFlight = 0;
      const now = performance.now();
      for (const entry of work.entries) {
        this.deps.metrics.latency((now - entry.enqueuedAt) / 1000);
        this.settle(entry, { dropped: false });
      }
    }
    this.report();
  }

  private async failed(work: Work, error: unknown): Promise<void> {
    if (this.healthy) {
      this.healthy = false;
      this.deps.logger.warn(
        { error: errorName(error), mode: this.deps.settings.mode },
        this.deps.settings.mode === 'buffered' ? 'Kafka unreachable: events go to the disk spool' : 'Kafka unreachable: strict publishes wait and time out',
      );
    }
    this.failures += 1;
    this.putBack(work);
    if (this.deps.settings.mode === 'buffered') this.spill();
    this.report();
    await this.deps.transport.reset().catch(() => undefined);
    await this.sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures - 1, 5)));
  }

  /**
   * Kafka refused the batch as larger than it accepts: not an outage, and sending it again as it is
   * would be refused forever. Several records: batches shrink to half of it, and the same records go
   * again at once. One record: it can never land, so it is dropped and counted (never quoted).
   */
  private async refusedAsTooLarge(work: Work, records: readonly BusRecord[]): Promise<void> {
    // A fresh producer: no idempotence sequence is left pointing past the refused batch.
    await this.deps.transport.reset().catch(() => undefined);
    if (records.length > 1) {
      const bytes = batchBytes(records);
      this.maxBatchBytes = Math.min(this.maxBatchBytes, Math.max(1, Math.floor(bytes / 2)));
      this.deps.logger.warn({ records: records.length, bytes, maxBatchBytes: this.maxBatchBytes }, 'Kafka refused an event batch as too large: batches are smaller from now on');
      this.putBack(work);
    } else {
      const [record] = records as [BusRecord];
      this.deps.logger.error({ topic: record.topic, bytes: recordBytes(record) }, 'Kafka refused an event record as larger than it accepts: it is dropped');
      this.drop(record);
      if (work.source === 'spool') {
        this.advanceSpool(1);
      } else {
        this.inFlight = 0;
        for (const entry of work.entries) this.settle(entry, new PublishError('record_too_large', `Kafka refused the event record (${recordBytes(record)} bytes) as larger than it accepts`));
      }
    }
    this.report();
  }

  /**
   * A memory batch that did not land goes back before everything newer. A spool batch needs
   * nothing: the spool's read position did not move.
   */
  private putBack(work: Work): void {
    if (work.source !== 'memory') return;
    this.inFlight = 0;
    // Handed-over entries are never expired: strict mode sends them again until Kafka acknowledges.
    const live = work.entries.filter((e) => !e.expired);
    // buffered: records spilled while the batch was in flight are newer, so it goes before them.
    if (this.deps.settings.mode === 'strict' || this.prependToSpool(live.map((e) => e.record)) === false) this.memory.unshift(live);
  }

  /** `count` records of the spool segment being read are settled (acknowledged or dropped). */
  private advanceSpool(count: number): void {
    const reading = this.reading;
    if (!reading) return;
    reading.next += count;
    if (reading.next >= reading.records.length) {
      this.deps.spool.release(reading.id);
      this.reading = undefined;
    }
  }

  /** Moves the memory queue to the end of the spool (what does not fit stays in memory). */
  private spill(): void {
    if (this.memory.length === 0) return;
    const entries = this.memory.takeAll();
    const written = this.appendToSpool(entries.map((e) => e.record));
    if (written < entries.length) this.memory.unshift(entries.slice(written));
  }

  private appendToSpool(records: readonly BusRecord[]): number {
    try {
      return this.deps.spool.append(records);
    } catch (error) {
      this.deps.logger.error({ error: errorName(error) }, 'cannot write to the event spool');
      return 0;
    }
  }

  private prependToSpool(records: readonly BusRecord[]): boolean {
    try {
      this.deps.spool.prepend(records);
      return true;
    } catch (error) {
      this.deps.logger.error({ error: errorName(error) }, 'cannot write to the event spool');
      return false;
    }
  }

  /**
   * Strict records left at close (Kafka did not answer within `closeTimeoutMs`). Never handed
   * over: refused, not sent. Handed over (they may already be in Kafka): kept for the next start
   * in the spool, which sends them first, and resolved — refusing them could refuse a recorded
   * event. Only if the spool cannot take them is the outcome unknown, and said so.
   */
  private closeStrict(left: readonly Entry[]): void {
    const handedOver = left.filter((e) => e.handedOver);
    const kept = handedOver.length === 0 || this.prependToSpool(handedOver.map((e) => e.record));
    if (handedOver.length > 0) {
      this.deps.logger.warn({ records: handedOver.length, kept }, 'strict event records Kafka did not acknowledge before close');
    }
    for (const entry of left) {
      if (!entry.handedOver) this.settle(entry, new PublishError('publisher_closed', 'the event publisher closed before the event was sent to Kafka'));
      else if (kept) this.settle(entry, { dropped: false });
      else this.settle(entry, new PublishError('delivery_unknown', 'the event publisher closed with the event sent but unacknowledged, and the spool could not keep it'));
    }
  }

  private drop(record: BusRecord): void {
    this.counts.dropped += 1;
    this.deps.metrics.dropped(record.topic);
  }

  private settle(entry: Entry, outcome: PublishResult | Error): void {
    if (!entry.waiter || entry.expired) return;
    clearTimeout(entry.waiter.timer);
    if (outcome instanceof Error) entry.waiter.reject(outcome);
    else entry.waiter.resolve(outcome);
  }

  private tick(): void {
    this.ticks += 1;
    if (!this.healthy && this.deps.settings.mode === 'buffered') this.spill();
    // About once a second: fsync what was spooled since (see disk-spool.ts on durability).
    if (this.ticks % 4 === 0) {
      try {
        this.deps.spool.sync();
      } catch (error) {
        this.deps.logger.error({ error: errorName(error) }, 'cannot fsync the event spool');
      }
    }
    this.report();
  }

  private report(): void {
    this.deps.metrics.queued(this.memory.length + this.inFlight, this.deps.spool.records, this.deps.spool.bytes);
  }

  private isDrained(): boolean {
    return this.memory.length === 0 && this.inFlight === 0 && this.reading === undefined && this.deps.spool.isEmpty;
  }

  private notifyIfDrained(): void {
    if (this.drainedWaiters.length === 0 || !this.isDrained()) return;
    const waiters = this.drainedWaiters;
    this.drainedWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Waits for a push (queue empty) or for the linger time of the oldest record to pass. */
  private idle(): Promise<void> {
    const oldest = this.memory.peek();
    const waitMs = oldest === undefined ? undefined : Math.max(0, this.deps.settings.lingerMs - (performance.now() - oldest.enqueuedAt));
    return new Promise<void>((resolve) => {
      const timer = waitMs === undefined ? undefined : setTimeout(() => done(), waitMs);
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = { fn: done, onAnyPush: oldest === undefined };
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      // Only stopping interrupts a backoff; new records must not hammer a broker that is down.
      this.wake = { fn: () => (this.stopping ? done() : undefined), onAnyPush: false };
    });
  }

  private nudge(): void {
    if (this.wake && (this.wake.onAnyPush || this.memory.length >= this.deps.settings.maxRecords)) this.wake.fn();
  }

  private wakeNow(): void {
    this.wake?.fn();
  }
}

function countByTopic(records: readonly BusRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.topic, (counts.get(record.topic) ?? 0) + 1);
  return counts;
}
