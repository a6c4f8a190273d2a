import { createTestDatabase } from '@authtrail/testing';
import {
  applyReadModelChanges,
  failureStats,
  openReadModel,
  revertMigrations,
  runMigrations,
  truncateDerivedReadModels,
  type FailureBucketChange,
  type FailureDimension,
  type FailureGroupView,
  type ReadModelChanges,
  type ReadModelDb,
} from '../index';

const EMPTY: ReadModelChanges = {
  identities: [],
  credentials: [],
  failureBuckets: [],
  policyClaims: [],
  revocationsRevoked: [],
  revocationsLifted: [],
  revocationsLiftedAfterRevoked: [],
  producerSequences: [],
};
const MINUTE = 60_000;
const DAY = 86_400_000;
const BASE = Date.UTC(2026, 10, 1, 7, 13);
const DIMENSIONS: readonly FailureDimension[] = ['source_ip', 'reason', 'strategy', 'username', 'credential'];
const HASH = (n: number) => `hmac-sha256-username:k1:${n.toString(16).padStart(64, '0')}`;

/** A deterministic pseudo-random stream (the data must be the same on every run). */
function numbers(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s;
  };
}

/** One change per bucket, as the projector hands them over: same dimensions merged. */
function mergedPerBucket(changes: readonly FailureBucketChange[]): FailureBucketChange[] {
  const merged = new Map<string, FailureBucketChange>();
  for (const c of changes) {
    const id = JSON.stringify([c.minute, c.sourceIp, c.reason, c.strategy, c.username, c.credentialFingerprint, c.usernameHash]);
    const m = merged.get(id);
    merged.set(id, m ? { ...m, count: m.count + c.count, firstSeen: m.firstSeen < c.firstSeen ? m.firstSeen : c.firstSeen, lastSeen: m.lastSeen > c.lastSeen ? m.lastSeen : c.lastSeen } : c);
  }
  return [...merged.values()];
}

/** About `count` failure buckets over 40 days: some dimensions NULL, names hashed only. */
function buckets(count: number, seed: number): FailureBucketChange[] {
  const next = numbers(seed);
  return mergedPerBucket(Array.from({ length: count }, () => {
    const minute = BASE + (next() % (40 * 24 * 60)) * MINUTE;
    const user = next() % 7;
    const hashed = next() % 4 === 0;
    const n = 1 + (next() % 5);
    const at = minute + (next() % 60_000);
    return {
      minute: new Date(minute).toISOString(),
      sourceIp: next() % 9 === 0 ? null : `10.0.${next() % 3}.${next() % 12}`,
      reason: ['invalid_password', 'unknown_token', 'token_expired'][next() % 3]!,
      strategy: next() % 8 === 0 ? null : ['basic-auth', 'static-token'][next() % 2]!,
      username: hashed ? null : `user-${user}`,
      credentialFingerprint: next() % 5 === 0 ? null : `hmac-sha256:k1:${(next() % 6).toString(16).padStart(64, '0')}`,
      usernameHash: hashed || next() % 2 === 0 ? HASH(user) : null,
      count: n,
      firstSeen: new Date(at).toISOString(),
      lastSeen: new Date(at + (next() % (60_000 - (at - minute)))).toISOString(),
    };
  }));
}

const COLUMN: Record<FailureDimension, keyof FailureBucketChange> = { source_ip: 'sourceIp', reason: 'reason', strategy: 'strategy', username: 'username', credential: 'credentialFingerprint' };

/** The groups `failureStats` must return, computed from the input buckets alone, sorted by key. */
function expectedGroups(input: readonly FailureBucketChange[], dimension: FailureDimension, since: number, until?: number): FailureGroupView[] {
  const groups = new Map<string, { key: string | null; usernameHash: string | null; count: number; firstSeen: number; lastSeen: number }>();
  for (const b of input) {
    const minute = Date.parse(b.minute);
    if (minute < Math.floor(since / MINUTE) * MINUTE || (until !== undefined && minute >= until)) continue;
    const key = b[COLUMN[dimension]] as string | null;
    const usernameHash = dimension === 'username' && key === null ? b.usernameHash : null;
    const id = JSON.stringify([key, usernameHash]);
    const g = groups.get(id) ?? { key, usernameHash, count: 0, firstSeen: Number.POSITIVE_INFINITY, lastSeen: Number.NEGATIVE_INFINITY };
    g.count += b.count;
    g.firstSeen = Math.min(g.firstSeen, Date.parse(b.firstSeen));
    g.lastSeen = Math.max(g.lastSeen, Date.parse(b.lastSeen));
    groups.set(id, g);
  }
  return byKey([...groups.values()].map((g) => ({ ...g, firstSeen: new Date(g.firstSeen), lastSeen: new Date(g.lastSeen) })));
}

const byKey = <T extends { key: string | null; usernameHash: string | null }>(rows: readonly T[]): T[] =>
  [...rows].sort((a, b) => JSON.stringify([a.key, a.usernameHash]).localeCompare(JSON.stringify([b.key, b.usernameHash])));

/** Windows that cut days and hours at odd minutes, open-ended ones, and one inside an hour. */
const WINDOWS: readonly { since: number; until?: number }[] = [
  { since: BASE - DAY },
  { since: BASE + 3 * DAY + 17 * MINUTE + 31_000, until: BASE + 33 * DAY + 5 * 60 * MINUTE + 1 },
  { since: BASE + 10 * DAY + 47 * MINUTE },
  { since: BASE + 2 * DAY + 3 * 60 * MINUTE, until: BASE + 2 * DAY + 20 * 60 * MINUTE },
  { since: BASE + 5 * DAY + 10 * MINUTE, until: BASE + 5 * DAY + 50 * MINUTE },
  { since: BASE + 39 * DAY + 23 * 60 * MINUTE },
];

async function expectStatsMatch(db: ReadModelDb, input: readonly FailureBucketChange[]): Promise<void> {
  for (const window of WINDOWS) {
    for (const groupBy of DIMENSIONS) {
      const since = new Date(window.since);
      const until = window.until === undefined ? undefined : new Date(window.until);
      const stats = await failureStats(db, { since, until, groupBy, limit: 10_000 });
      expect({ window, groupBy, groups: byKey(stats) }).toEqual({ window, groupBy, groups: expectedGroups(input, groupBy, window.since, window.until) });
      // Largest count first.
      expect(stats.map((s) => s.count)).toEqual([...stats.map((s) => s.count)].sort((a, b) => b - a));
    }
  }
}

describe('RollUpFailuresByHourAndDay: failureStats from the hourly and daily rollup', () => {
  let url: string;
  let db: ReadModelDb;
  beforeAll(async () => {
    url = await createTestDatabase('failure_rollup');
    await runMigrations(url);
    db = await openReadModel(url, { poolSize: 2 });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('answers every window and grouping exactly as the buckets do, after inserts, merges into stored buckets, deletes and a truncate', async () => {
    const first = buckets(3_000, 1);
    // The same keys again (the upsert's UPDATE path) and new ones, in separate batches.
    const again = mergedPerBucket([...first.slice(0, 1_000).map((b) => ({ ...b, count: 2 })), ...buckets(1_500, 2)]);
    for (let i = 0; i < first.length; i += 700) await db.transaction((tx) => applyReadModelChanges(tx, { ...EMPTY, failureBuckets: first.slice(i, i + 700) }));
    await db.transaction((tx) => applyReadModelChanges(tx, { ...EMPTY, failureBuckets: again }));
    const stored = [...first, ...again];
    await expectStatsMatch(db, stored);

    // A compaction or retention that removes buckets takes their counts out of the rollup.
    await db.query(`DELETE FROM failure_bucket WHERE reason = 'token_expired'`);
    const kept = mergedPerBucket(stored.filter((b) => b.reason !== 'token_expired'));
    await expectStatsMatch(db, kept);
    // An update that lowers counts (not what the projector does) is followed too.
    await db.query(`UPDATE failure_bucket SET count = 1 WHERE strategy IS NULL`);
    await expectStatsMatch(db, kept.map((b) => (b.strategy === null ? { ...b, count: 1 } : b)));
    const [left] = await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM failure_rollup WHERE reason = 'token_expired'`);
    expect(left!.n).toBe(0);

    // A rebuild empties the derived tables, the rollup with them.
    await db.transaction((tx) => truncateDerivedReadModels(tx));
    const [rows] = await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM failure_rollup`);
    expect(rows!.n).toBe(0);
    await expectStatsMatch(db, []);
  });

  it('up rolls up the buckets stored before it; down drops the rollup, its triggers and the reason index', async () => {
    const before = await createTestDatabase('failure_rollup_up');
    await runMigrations(before);
    expect(await revertMigrations(before, 2)).toBe(2);
    const old = await openReadModel(before, { poolSize: 1 });
    try {
      const objects = async () =>
        old.query<{ name: string }[]>(
          `SELECT relname AS name FROM pg_class WHERE relname IN ('failure_rollup', 'decision_denied_reason_time_idx')
           UNION ALL SELECT tgname FROM pg_trigger WHERE tgname LIKE 'failure_rollup%' ORDER BY 1`,
        );
      expect(await objects()).toEqual([]);
      const input = buckets(1_200, 3);
      await applyReadModelChanges(old, { ...EMPTY, failureBuckets: input });
      expect(await runMigrations(before)).toEqual(['RollUpFailuresByHourAndDay1799539200000', 'SlimIntegrityLinks1800144000000']);
      await expectStatsMatch(old, input);
      expect((await objects()).map((o) => o.name).sort()).toEqual(
        ['decision_denied_reason_time_idx', 'failure_rollup', 'failure_rollup_on_delete', 'failure_rollup_on_insert', 'failure_rollup_on_truncate', 'failure_rollup_on_update'].sort(),
      );
      expect(await revertMigrations(before, 2)).toBe(2);
      expect(await objects()).toEqual([]);
      // The buckets themselves are untouched by down.
      const [sum] = await old.query<{ n: number }[]>(`SELECT sum(count)::int AS n FROM failure_bucket`);
      expect(sum!.n).toBe(input.reduce((n, b) => n + b.count, 0));
    } finally {
      await old.destroy();
    }
  });

  it('a window with since after until, and an invalid date, are answered without touching SQL errors', async () => {
    await expect(failureStats(db, { since: new Date(BASE + DAY), until: new Date(BASE), groupBy: 'reason', limit: 5 })).resolves.toEqual([]);
    await expect(failureStats(db, { since: new Date(Number.NaN), groupBy: 'reason', limit: 5 })).rejects.toThrow(new RangeError('since must be a valid date'));
  });
});
