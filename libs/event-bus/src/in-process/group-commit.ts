// Group commit for the persisted in-process partitions: appends collect in memory, and a timer
// (`commitIntervalMs`, or the next turn once a partition has `commitBytes` pending) writes them
// all, then one asynchronous fsync per file makes them durable — off the publishing request's
// turn, and shared by every record of the group. One fsync round at a time; what is written while
// it runs goes into the next round.
import { fsync } from 'node:fs';
import { promisify } from 'node:util';
import { type BusLogger, errorName } from '../bus.logger';
import type { PartitionLog } from './partition-log';

const fsyncAsync = promisify(fsync);
/** A partition with this much pending is written on the next turn instead of at the timer. */
const COMMIT_BYTES = 1024 * 1024;
const RETRY_MS = 200;

export class GroupCommit {
  private readonly appended = new Set<PartitionLog>();
  private readonly written = new Set<PartitionLog>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private syncing = false;
  private closed = false;

  constructor(
    private readonly intervalMs: number,
    /** Called after records became durable (consumers may read them now). */
    private readonly onDurable: () => void,
    private readonly logger: BusLogger,
  ) {}

  /** A record was appended to `log` (a persisted partition). */
  appendedTo(log: PartitionLog): void {
    if (this.closed) return;
    this.appended.add(log);
    if (log.pendingBytes >= COMMIT_BYTES) this.soon ??= setImmediate(() => this.commit());
    else this.timer ??= setTimeout(() => this.commit(), this.intervalMs);
  }

  /** Commits now and resolves once everything appended to `logs` so far is durable. */
  async flush(logs: readonly PartitionLog[]): Promise<void> {
    const waits = logs.filter((log) => log.undurable > 0).map((log) => log.whenAllDurable());
    if (waits.length === 0) return;
    this.soon ??= setImmediate(() => this.commit());
    await Promise.all(waits);
  }

  /** Stops the timers; the partitions' own close() writes and fsyncs what is left (shutdown). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.soon) clearImmediate(this.soon);
  }

  private commit(): void {
    clearTimeout(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.timer = undefined;
    this.soon = undefined;
    for (const log of this.appended) {
      try {
        log.writePending();
        this.written.add(log);
        this.appended.delete(log);
      } catch (error) {
        // Kept pending and written again at the next round; strict publishers keep waiting.
        this.logger.error({ error: errorName(error), topic: log.topic, partition: log.partition }, 'could not write to the event log; retrying');
        this.timer ??= setTimeout(() => this.commit(), RETRY_MS);
      }
    }
    if (!this.syncing && this.written.size > 0) void this.sync();
  }

  private async sync(): Promise<void> {
    this.syncing = true;
    while (this.written.size > 0 && !this.closed) {
      const round = [...this.written].map((log) => ({ log, end: log.writtenEnd, fd: log.syncTarget }));
      this.written.clear();
      try {
        await Promise.all([...new Set(round.map((r) => r.fd))].map((fd) => (fd === undefined ? undefined : fsyncAsync(fd))));
      } catch (error) {
        this.logger.error({ error: errorName(error) }, 'could not fsync the event log; retrying');
        for (const { log } of round) this.written.add(log);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (this.closed) break;
      for (const { log, end } of round) log.markDurable(end);
      this.onDurable();
    }
    this.syncing = false;
  }
}
