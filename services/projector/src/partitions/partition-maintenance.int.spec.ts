// Partition maintenance and retention over real PostgreSQL, with the read models filled the
// production way (events projected by projectRecords). The reference for every aggregate is a
// second database where the same events were projected with no retention at all: a full replay.
// Times are in 2030-2031, far from the clock the migration saw, and `now` is passed in.
import { listDecisionPartitions, openReadModel, pendingRetirements, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase } from '@authtrail/testing';
import type { AuthtrailEvent } from '@authtrail/events';
import { Client } from 'pg';
import { snapshotReadModels } from '../../testdata/projector.harness';
import { replayFromDatabase } from '../replay';
import { runPartitionMaintenance, startPartitionMaintenance } from './partition-maintenance';
import type { PartitionSettings } from './partition.settings';
import { detachForRetirement, finishRetirement } from './retire-partition';
import { decisionsOf, eventsOnDays, projectEvents } from './testdata/partition-events';

const DAY = 86_400_000;
const NOW = Date.parse('2031-05-10T12:00:00.000Z');
const DAILY: PartitionSettings = { partitioning: 'daily', partitionsAhead: 3, maintenanceIntervalMs: 60_000, retentionMs: 3 * DAY };
/** The tables folded from decision events: what retention must not change. */
const AGGREGATES = ['identity', 'credential', 'credential_source_ip', 'failure_bucket', 'producer_sequence'] as const;

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function aggregates(url: string): Promise<Record<string, string>> {
  const all = await snapshotReadModels(url);
  return Object.fromEntries(AGGREGATES.map((t) => [t, all[t]]));
}

async function partitionNames(db: ReadModelDb): Promise<string[]> {
  return (await listDecisionPartitions(db)).ranges.map((r) => r.name);
}

async function freshDatabase(prefix: string): Promise<{ url: string; db: ReadModelDb }> {
  const url = await createTestDatabase(prefix);
  await runMigrations(url);
  return { url, db: await openReadModel(url) };
}

/** The same events in a database of their own, no retention: what a full replay gives. */
async function fullReplayOf(events: readonly AuthtrailEvent[]): Promise<Record<string, string>> {
  const { url, db } = await freshDatabase('partition_reference');
  try {
    await projectEvents(db, events);
    return await aggregates(url);
  } finally {
    await db.destroy();
  }
}

const countIn = (events: readonly AuthtrailEvent[], from: string, to: string): number =>
  decisionsOf(events).filter((e) => e.time >= from && e.time < to).length;

describe('decision partitions: created ahead, strays, retention', () => {
  const opened: ReadModelDb[] = [];
  afterAll(async () => {
    for (const db of opened) await db.destroy();
  });
  const open = async (prefix: string) => {
    const made = await freshDatabase(prefix);
    opened.push(made.db);
    return made;
  };

  it('creates the current period and partitionsAhead after it, once; another period setting is cut around what exists', async () => {
    const { db } = await open('partition_ahead');
    const first = await runPartitionMaintenance(db, { ...DAILY, retentionMs: undefined }, NOW);
    expect(first.created).toEqual(['decision_20310510_20310511', 'decision_20310511_20310512', 'decision_20310512_20310513', 'decision_20310513_20310514']);
    expect(first.moved).toBe(0);
    expect((await runPartitionMaintenance(db, { ...DAILY, retentionMs: undefined }, NOW)).created).toEqual([]);

    // Switched to monthly: May is cut around the four daily partitions, June comes whole.
    const monthly = await runPartitionMaintenance(db, { partitioning: 'monthly', partitionsAhead: 1, maintenanceIntervalMs: 60_000 }, NOW);
    expect(monthly.created).toEqual(['decision_20310501_20310510', 'decision_20310514_20310601', 'decision_20310601_20310701']);
    const names = await partitionNames(db);
    expect(names).toEqual(expect.arrayContaining([...first.created, ...monthly.created]));
  });

  it('a new event is stored in its period\'s partition; a stray waits in the default partition until the next round gives it its own', async () => {
    const { url, db } = await open('partition_strays');
    await runPartitionMaintenance(db, { ...DAILY, retentionMs: undefined }, NOW);
    const current = eventsOnDays(['2031-05-11'], 30, 11);
    const strays = eventsOnDays(['2030-01-15', '2031-09-01'], 20, 21);
    await projectEvents(db, [...current, ...strays]);
    const placed = async () =>
      Object.fromEntries(
        (await query<{ p: string; n: string }>(url, `SELECT tableoid::regclass::text AS p, count(*)::text AS n FROM decision GROUP BY 1`)).map((r) => [r.p, Number(r.n)]),
      );
    expect(await placed()).toEqual({ decision_20310511_20310512: decisionsOf(current).length, decision_default: decisionsOf(strays).length });

    const round = await runPartitionMaintenance(db, { ...DAILY, retentionMs: undefined }, NOW);
    expect(round.created).toEqual(['decision_20300115_20300116', 'decision_20310901_20310902']);
    expect(round.moved).toBe(decisionsOf(strays).length);
    expect(await placed()).toEqual({
      decision_20310511_20310512: decisionsOf(current).length,
      decision_20300115_20300116: countIn(strays, '2030-01-15', '2030-01-16'),
      decision_20310901_20310902: countIn(strays, '2031-09-01', '2031-09-02'),
    });
  });

  describe('retention', () => {
    // Seven days of decisions; a stray from the year before; one from after the window.
    const days = ['2031-05-03', '2031-05-04', '2031-05-05', '2031-05-06', '2031-05-07', '2031-05-08', '2031-05-09'];
    const events = [...eventsOnDays(days, 120, 100), ...eventsOnDays(['2030-01-15', '2031-09-01'], 25, 200)];
    const late = eventsOnDays(['2031-05-04'], 15, 300);
    let url: string;
    let db: ReadModelDb;
    let reference: Record<string, string>;

    beforeAll(async () => {
      ({ url, db } = await open('partition_retention'));
      // Every row ever deleted from any partition of `decision`, by table (the trigger is cloned to
      // every partition, those created later included).
      await query(url, `CREATE TABLE deleted_decision (partition text NOT NULL, id uuid NOT NULL)`);
      await query(url, `CREATE FUNCTION note_deleted_decision() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO deleted_decision VALUES (TG_TABLE_NAME, OLD.id); RETURN OLD; END $$`);
      await query(url, `CREATE TRIGGER decision_deleted AFTER DELETE ON decision FOR EACH ROW EXECUTE FUNCTION note_deleted_decision()`);
      await projectEvents(db, events);
      reference = await fullReplayOf(events);
    });

    it('retires whole partitions older than now − retention, keeps the rest, and the aggregates equal a full replay', async () => {
      const before = await aggregates(url);
      expect(before).toEqual(reference);
      const round = await runPartitionMaintenance(db, DAILY, NOW);

      // The cutoff is 2031-05-07T12:00Z: days before 05-07 go, 05-07 stays whole.
      const retired = ['decision_20300115_20300116', 'decision_20310503_20310504', 'decision_20310504_20310505', 'decision_20310505_20310506', 'decision_20310506_20310507'];
      expect(round.retired).toEqual(expect.arrayContaining(retired));
      expect(round.folded).toBe(decisionsOf(events).filter((e) => e.time < '2031-05-07').length);
      const names = await partitionNames(db);
      for (const name of retired) expect(names).not.toContain(name);
      expect(names).toEqual(expect.arrayContaining(['decision_20310507_20310508', 'decision_20310509_20310510', 'decision_20310510_20310511', 'decision_20310901_20310902']));
      const gone = await query<{ relname: string }>(url, `SELECT relname FROM pg_class WHERE relname = ANY($1::text[])`, [retired]);
      expect(gone).toEqual([]);

      // Retention deleted no row: the only deletes are the strays moved out of the default
      // partition (here every event, as no partition for 2030-2031 existed before the round).
      const deletes = await query<{ partition: string; n: string }>(url, `SELECT partition, count(*)::text AS n FROM deleted_decision GROUP BY 1`);
      expect(deletes).toEqual([{ partition: 'decision_default', n: String(decisionsOf(events).length) }]);
      expect(round.moved).toBe(decisionsOf(events).length);

      // What stays is exactly the decisions from 2031-05-07 on.
      const [kept] = await query<{ n: string; oldest: string }>(url, `SELECT count(*)::text AS n, to_char(min(time) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS oldest FROM decision`);
      expect(Number(kept.n)).toBe(decisionsOf(events).filter((e) => e.time >= '2031-05-07').length);
      expect(kept.oldest).toBe('2031-05-07');

      // The record of what retention removed: per partition, the events folded into the rollup.
      const record = await query<{ partition_name: string; folded_events: string; dropped: boolean }>(
        url,
        `SELECT partition_name, folded_events::text, dropped_at IS NOT NULL AS dropped FROM decision_retirement WHERE folded_events > 0 ORDER BY range_from, retirement_id`,
      );
      expect(record).toEqual([
        { partition_name: 'decision_20300115_20300116', folded_events: String(countIn(events, '2030-01-15', '2030-01-16')), dropped: true },
        ...days.slice(0, 4).map((d, i) => ({ partition_name: retired[i + 1], folded_events: String(countIn(events, d, days[i + 1])), dropped: true })),
      ]);

      // The live aggregates were not touched; a replay from the database (rollup ⊕ retained window) gives them again.
      expect(await aggregates(url)).toEqual(reference);
      await replayFromDatabase(db, { pageSize: 97 });
      expect(await aggregates(url)).toEqual(reference);
    });

    it('a late event for a retired day lands in the default partition, is retired by the next round, and is counted once', async () => {
      await projectEvents(db, late);
      const [waiting] = await query<{ n: string }>(url, `SELECT count(*)::text AS n FROM decision_default`);
      expect(Number(waiting.n)).toBe(decisionsOf(late).length);
      const withLate = await fullReplayOf([...events, ...late]);
      expect(await aggregates(url)).toEqual(withLate);

      const round = await runPartitionMaintenance(db, DAILY, NOW);
      expect(round.retired).toEqual(['decision_20310504_20310505']);
      expect(round.folded).toBe(decisionsOf(late).length);
      const [empty] = await query<{ n: string }>(url, `SELECT count(*)::text AS n FROM decision_default`);
      expect(empty.n).toBe('0');
      await replayFromDatabase(db);
      expect(await aggregates(url)).toEqual(withLate);
      // A second round finds nothing to do.
      expect(await runPartitionMaintenance(db, DAILY, NOW)).toEqual({ created: [], moved: 0, retired: [], folded: 0 });
    });
  });

  it('a retirement interrupted after the detach, or raced by a second maintainer, folds every event exactly once', async () => {
    const { url, db } = await open('partition_resume');
    const events = eventsOnDays(['2031-05-01', '2031-05-02', '2031-05-09'], 150, 400);
    await projectEvents(db, events);
    const reference = await fullReplayOf(events);
    await runPartitionMaintenance(db, { ...DAILY, retentionMs: undefined }, NOW);
    const [first, second] = (await listDecisionPartitions(db)).ranges.filter((r) => r.name === 'decision_20310501_20310502' || r.name === 'decision_20310502_20310503');

    // Detached, then the process died: the events are neither in `decision` nor in the rollup yet.
    await detachForRetirement(db, first);
    await detachForRetirement(db, second);
    // A replay meanwhile still counts them (from the detached tables).
    await replayFromDatabase(db, { pageSize: 40 });
    expect(await aggregates(url)).toEqual(reference);

    // Two maintainers fold the same partition at once: pages are folded under a cursor compare-and-set.
    const [pending] = await pendingRetirements(db);
    const raced = await Promise.allSettled([finishRetirement(db, pending, 25), finishRetirement(db, pending, 25)]);
    expect(raced.some((r) => r.status === 'fulfilled')).toBe(true);
    for (const r of raced) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/moved on meanwhile/);

    const round = await runPartitionMaintenance(db, DAILY, NOW);
    expect(round.retired).toEqual(expect.arrayContaining(['decision_20310502_20310503']));
    const record = await query<{ partition_name: string; folded_events: string }>(
      url,
      `SELECT partition_name, folded_events::text FROM decision_retirement WHERE partition_name IN ('decision_20310501_20310502', 'decision_20310502_20310503') ORDER BY 1`,
    );
    expect(record).toEqual([
      { partition_name: 'decision_20310501_20310502', folded_events: String(countIn(events, '2031-05-01', '2031-05-02')) },
      { partition_name: 'decision_20310502_20310503', folded_events: String(countIn(events, '2031-05-02', '2031-05-03')) },
    ]);
    expect(await pendingRetirements(db)).toEqual([]);
    expect(await aggregates(url)).toEqual(reference);
    await replayFromDatabase(db);
    expect(await aggregates(url)).toEqual(reference);
  });

  it('a partition made by hand keeps its range and name, and is retired under that name like any other', async () => {
    const { url, db } = await open('partition_by_hand');
    const handMade = 'Decision April "archive"';
    const quoted = `"${handMade.replace(/"/g, '""')}"`;
    await query(url, `CREATE TABLE ${quoted} PARTITION OF decision FOR VALUES FROM ('2031-04-01T00:00:00Z') TO ('2031-05-01T00:00:00Z')`);
    const events = eventsOnDays(['2031-04-20', '2031-05-09'], 60, 500);
    await projectEvents(db, events);
    const reference = await fullReplayOf(events);
    const [inApril] = await query<{ n: string }>(url, `SELECT count(*)::text AS n FROM ${quoted}`);
    expect(Number(inApril.n)).toBe(countIn(events, '2031-04-01', '2031-05-01'));

    // Monthly: April is covered, so it is not made again; a 30-day retention reaches April only.
    const round = await runPartitionMaintenance(db, { partitioning: 'monthly', partitionsAhead: 1, maintenanceIntervalMs: 60_000, retentionMs: 30 * DAY }, Date.parse('2031-06-02T00:00:00Z'));
    expect(round.created).toEqual(['decision_20310601_20310701', 'decision_20310701_20310801', 'decision_20310501_20310601']);
    expect(round.retired).toEqual(expect.arrayContaining([handMade]));
    expect(round.retired).not.toContain('decision_20310501_20310601');
    expect(round.folded).toBe(countIn(events, '2031-04-01', '2031-05-01'));
    expect(await aggregates(url)).toEqual(reference);
    await replayFromDatabase(db);
    expect(await aggregates(url)).toEqual(reference);
  });

  it('the projector\'s loop runs a round at start, on demand, and stops after the round in flight', async () => {
    const { db } = await open('partition_loop');
    const logged: string[] = [];
    const logger = { info: (_o: object, m: string) => void logged.push(m), warn: (_o: object, m: string) => void logged.push(m), error: (_o: object, m: string) => void logged.push(m) };
    const loop = startPartitionMaintenance(db, { ...DAILY, retentionMs: undefined, maintenanceIntervalMs: 3_600_000 }, { logger, now: () => NOW });
    // The round started at start is the one runNow joins (or a later one that finds nothing to do).
    const report = await loop.runNow();
    expect((await partitionNames(db)).filter((n) => n.startsWith('decision_2031'))).toEqual(['decision_20310510_20310511', 'decision_20310511_20310512', 'decision_20310512_20310513', 'decision_20310513_20310514']);
    expect(report.retired).toEqual([]);
    await loop.stop();
    expect(logged.filter((m) => m.includes('failed'))).toEqual([]);
  });

  it('every rollup twin has the columns of the table it rolls up (a migration that changes one changes both)', async () => {
    const { url } = await open('partition_twins');
    const columns = (schema: string) =>
      query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
        url,
        `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
          WHERE table_schema = ${schema} AND table_name = ANY($1::text[]) ORDER BY table_name, ordinal_position`,
        [[...AGGREGATES]],
      );
    const live = await columns('current_schema()');
    expect(live.length).toBeGreaterThan(AGGREGATES.length);
    expect(await columns(`'decision_rollup'`)).toEqual(live);
  });
});
