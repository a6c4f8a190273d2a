// A consumer group of the in-process bus. One loop per group hands batches to the member that
// owns each partition, one batch at a time, so a rebalance never overlaps a batch in flight.
// Offsets are committed (in memory) only after handleBatch resolved; a failed batch is offered
// again after a growing pause, and the member's partitions resume from resolveStartOffsets again. Partitions are spread round-robin over the members that
// subscribed to their topic, in join order.
import { type BusLogger, errorName } from '../bus.logger';
import type { SubscribeOptions } from '../bus.port';
import type { CommittedOffsets } from './group-offsets';
import type { InProcessTopics } from './in-process-topics';

interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export class GroupMember {
  assigned: TopicPartition[] = [];
  readonly positions = new Map<string, number>();
  readonly retryAt = new Map<string, number>();
  readonly failures = new Map<string, number>();
  /** Assigned partitions whose start offset is still to be resolved. */
  pending: TopicPartition[] = [];
  constructor(readonly options: SubscribeOptions) {}
}

const MAX_BATCH = 500;
/** With a fetch wait: a partition holding this many records is delivered without waiting. */
export const FETCH_MIN_RECORDS = 200;
const MAX_PAUSE_MS = 5_000;
const key = ({ topic, partition }: TopicPartition): string => `${topic}\u0000${partition}`;

export class InProcessGroup {
  private members: GroupMember[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private looping = false;
  private wakeUp: (() => void) | undefined;
  /** Set by wake() so that a wake between a step and the wait is not lost. */
  private woken = false;
  private cursor = 0;

  constructor(
    readonly id: string,
    private readonly topics: InProcessTopics,
    /** Kept across restarts by group-offsets.ts; updated in place. */
    private readonly committed: CommittedOffsets,
    private readonly onCommit: () => void,
    private readonly logger: BusLogger,
    /** How long a partition's oldest undelivered record may wait for FETCH_MIN_RECORDS (0: none). */
    private readonly fetchMaxWaitMs = 0,
  ) {}

  get size(): number {
    return this.members.length;
  }

  /**
   * The oldest offset of the partition this group may still read: its committed offset, or a
   * member's position behind it (resolveStartOffsets can go back); undefined when it does not read
   * the partition. A member still waiting for its start offset may need anything: 0.
   */
  needs(topic: string, partition: number): number | undefined {
    const k = key({ topic, partition });
    const owner = this.members.find((m) => m.assigned.some((tp) => key(tp) === k));
    const position = owner ? (owner.positions.get(k) ?? 0) : undefined;
    const committed = this.committed.get(k);
    if (position === undefined) return committed;
    return committed === undefined ? position : Math.min(committed, position);
  }

  async join(member: GroupMember): Promise<void> {
    for (const topic of member.options.topics) this.topics.ensure(topic);
    await this.locked(async () => {
      this.members.push(member);
      await this.assign();
    });
    if (!this.looping) {
      this.looping = true;
      void this.loop();
    }
  }

  /** Waits for a batch in flight to finish; then the member's partitions move to the others. */
  async leave(member: GroupMember): Promise<void> {
    await this.locked(async () => {
      this.members = this.members.filter((m) => m !== member);
      await this.assign();
    });
    this.wake();
  }

  topicsChanged(): void {
    void this.locked(() => this.assign()).then(() => this.wake());
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async assign(): Promise<void> {
    const next = new Map<GroupMember, TopicPartition[]>(this.members.map((m) => [m, []]));
    const topics = [...new Set(this.members.flatMap((m) => m.options.topics))].sort();
    for (const topic of topics) {
      const subscribed = this.members.filter((m) => m.options.topics.includes(topic));
      this.topics.partitions(topic).forEach((_, partition) => next.get(subscribed[partition % subscribed.length])?.push({ topic, partition }));
    }
    for (const member of this.members) {
      const before = new Set(member.assigned.map(key));
      member.assigned = next.get(member) ?? [];
      const now = new Set(member.assigned.map(key));
      for (const k of [...member.positions.keys()]) if (!now.has(k)) member.positions.delete(k);
      member.pending = [...member.pending.filter((tp) => now.has(key(tp))), ...member.assigned.filter((tp) => !before.has(key(tp)))];
      await this.resolveStarts(member);
    }
  }

  private async resolveStarts(member: GroupMember): Promise<void> {
    if (member.pending.length === 0) return;
    const added = member.pending;
    let resolved: readonly { topic: string; partition: number; offset: string }[] = [];
    try {
      resolved = member.options.resolveStartOffsets ? await member.options.resolveStartOffsets(added) : [];
    } catch (error) {
      this.logger.error({ error: errorName(error), groupId: this.id }, 'resolveStartOffsets failed; retrying');
      return;
    }
    member.pending = [];
    for (const tp of added) {
      const log = this.topics.partitions(tp.topic)[tp.partition];
      const given = resolved.find((r) => r.topic === tp.topic && r.partition === tp.partition);
      const start = given ? Number(given.offset) : (this.committed.get(key(tp)) ?? (member.options.fromBeginning ? log.startOffset : log.endOffset));
      member.positions.set(key(tp), start);
    }
  }

  /**
   * After a failed batch every partition of the member resumes where resolveStartOffsets says
   * (as the Kafka adapter does): no batch is handed over until it answered.
   */
  private resolveAgain(member: GroupMember): void {
    if (!member.options.resolveStartOffsets) return;
    for (const tp of member.assigned) member.positions.delete(key(tp));
    member.pending = [...member.assigned];
  }

  private async loop(): Promise<void> {
    while (this.members.length > 0) {
      this.woken = false;
      const outcome = await this.locked(() => this.step()).catch((error: unknown) => {
        this.logger.error({ error: errorName(error), groupId: this.id }, 'in-process consumer loop error');
        return 1_000;
      });
      if (outcome === 'progressed' || this.woken) continue;
      await new Promise<void>((resolve) => {
        const timer = outcome === undefined ? undefined : setTimeout(() => done(), outcome);
        const done = () => {
          clearTimeout(timer);
          this.wakeUp = undefined;
          resolve();
        };
        this.wakeUp = done;
      });
    }
    this.looping = false;
  }

  /** Delivers one batch if any partition has records; else says how long to wait (undefined: until woken). */
  private async step(): Promise<'progressed' | number | undefined> {
    const work = this.members.flatMap((member) => member.assigned.map((tp) => ({ member, tp })));
    let wait: number | undefined;
    const now = Date.now();
    for (const member of this.members) if (member.pending.length > 0) await this.resolveStarts(member);
    for (let i = 0; i < work.length; i += 1) {
      const { member, tp } = work[(this.cursor + i) % work.length];
      const k = key(tp);
      const retryAt = member.retryAt.get(k) ?? 0;
      if (retryAt > now) {
        wait = Math.min(wait ?? Infinity, retryAt - now);
        continue;
      }
      const log = this.topics.partitions(tp.topic)[tp.partition];
      const position = member.positions.get(k);
      if (position === undefined) {
        wait = Math.min(wait ?? Infinity, 200);
        continue;
      }
      const available = log.endOffset - position;
      if (available <= 0) continue;
      if (available < FETCH_MIN_RECORDS && this.fetchMaxWaitMs > 0) {
        const waited = now - log.appendTimeOf(position);
        if (waited < this.fetchMaxWaitMs) {
          wait = Math.min(wait ?? Infinity, this.fetchMaxWaitMs - waited);
          continue;
        }
      }
      const records = log.read(position, MAX_BATCH);
      if (records.length === 0) continue;
      this.cursor = (this.cursor + i + 1) % work.length;
      try {
        await member.options.handleBatch({ topic: tp.topic, partition: tp.partition, records, highWatermark: String(log.endOffset) });
      } catch (error) {
        const failures = (member.failures.get(k) ?? 0) + 1;
        member.failures.set(k, failures);
        member.retryAt.set(k, Date.now() + Math.min(MAX_PAUSE_MS, 100 * 2 ** Math.min(failures, 6)));
        this.logger.warn({ error: errorName(error), groupId: this.id, topic: tp.topic, partition: tp.partition, offset: records[0].offset, attempt: failures }, 'handleBatch failed; the batch will be delivered again');
        this.resolveAgain(member);
        return 'progressed';
      }
      member.failures.delete(k);
      member.retryAt.delete(k);
      const next = Number(records[records.length - 1].offset) + 1;
      member.positions.set(k, next);
      this.committed.set(k, next);
      this.onCommit();
      return 'progressed';
    }
    return wait;
  }
}
