// Committed offsets of the in-process consumer groups, kept in `<dataDir>/bus/groups/<group>.json`
// so that a group resumes where it was after a restart (the siem-exporter does; the projector
// resumes from its own checkpoint in Postgres) and so that retention knows what each group still
// needs. Written at most once a second and at close, by write-and-rename: a crash can lose the
// last second of commits, which are then delivered again (at least once, as with Kafka).
// A group whose offsets were not committed for `expireAfterMs` (Kafka's offsets.retention.minutes
// default, 7 days) is forgotten at start, so a retired consumer stops holding back retention.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type BusLogger, errorName } from '../bus.logger';

/** `${topic}\u0000${partition}` → the next offset to read. */
export type CommittedOffsets = Map<string, number>;

const WRITE_EVERY_MS = 1_000;
const EXPIRE_AFTER_MS = 7 * 24 * 3_600_000;

export class GroupOffsets {
  private readonly groups = new Map<string, CommittedOffsets>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Absent: offsets live in memory only. */
    private readonly dir: string | undefined,
    private readonly logger: BusLogger,
    now = Date.now(),
  ) {
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) this.load(path.join(dir, name), now);
  }

  /** The group's committed offsets (the same Map on every call: the group updates it in place). */
  of(groupId: string): CommittedOffsets {
    let offsets = this.groups.get(groupId);
    if (!offsets) this.groups.set(groupId, (offsets = new Map()));
    return offsets;
  }

  entries(): IterableIterator<[string, CommittedOffsets]> {
    return this.groups.entries();
  }

  changed(groupId: string): void {
    if (!this.dir) return;
    this.dirty.add(groupId);
    this.timer ??= setTimeout(() => this.write(), WRITE_EVERY_MS).unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.write();
  }

  private write(): void {
    this.timer = undefined;
    for (const groupId of this.dirty) {
      const file = this.fileOf(groupId);
      const offsets: Record<string, Record<string, number>> = {};
      for (const [key, offset] of this.of(groupId)) {
        const [topic, partition] = key.split('\u0000');
        (offsets[topic] ??= {})[partition] = offset;
      }
      try {
        writeFileSync(`${file}.tmp`, JSON.stringify({ groupId, offsets }));
        renameSync(`${file}.tmp`, file);
      } catch (error) {
        this.logger.warn({ error: errorName(error), groupId }, 'could not store consumer group offsets');
      }
    }
    this.dirty.clear();
  }

  private load(file: string, now: number): void {
    try {
      if (now - statSync(file).mtimeMs > EXPIRE_AFTER_MS) {
        unlinkSync(file);
        return;
      }
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { groupId: string; offsets: Record<string, Record<string, number>> };
      const offsets = this.of(stored.groupId);
      for (const [topic, partitions] of Object.entries(stored.offsets)) for (const [partition, offset] of Object.entries(partitions)) offsets.set(`${topic}\u0000${partition}`, offset);
    } catch (error) {
      this.logger.warn({ error: errorName(error), file: path.basename(file) }, 'ignoring an unreadable consumer group offsets file');
    }
  }

  private fileOf(groupId: string): string {
    return path.join(this.dir ?? '.', `${encodeURIComponent(groupId)}.json`);
  }
}
