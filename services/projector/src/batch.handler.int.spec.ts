import { encodeEvent, type AuthtrailEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { inTransaction, insertDecisions, openReadModel, readCheckpoints, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase } from '@authtrail/testing';
import { generateEvents, isDecision } from '../testdata/event-generator';
import { queryRows, snapshotReadModels } from '../testdata/projector.harness';
import { CheckpointMovedError, projectRecords, type BatchPosition } from './batch.handler';
import type { PoisonRecord } from './batch.decoder';
import { toDecisionRow } from './event.rows';

const toRecords = (events: readonly AuthtrailEvent[], firstOffset = 0): ConsumedRecord[] =>
  events.map((event, i) => ({ topic: 't', partition: 0, offset: String(firstOffset + i), key: null, value: encodeEvent(event), headers: {}, timestamp: '0' }));

const position = (nextOffset: number): BatchPosition => ({ groupId: 'g', topic: 't', partition: 0, nextOffset: String(nextOffset), highWatermark: String(nextOffset) });

async function freshDatabase(name: string): Promise<{ url: string; db: ReadModelDb }> {
  const url = await createTestDatabase(name);
  await runMigrations(url);
  return { url, db: await openReadModel(url) };
}

describe('projecting a batch of records (decode overlapped with the inserts)', () => {
  const events = generateEvents(600, { seed: 7 });
  let clean: { url: string; db: ReadModelDb };

  beforeAll(async () => {
    // The reference: every event once, one batch, default slices.
    clean = await freshDatabase('batch_clean');
    await projectRecords(clean.db, toRecords(events), position(events.length));
  });
  afterAll(async () => {
    await clean?.db.destroy();
  });

  it('duplicates within a slice, across slices and across batches are projected once: the read models equal a clean run', async () => {
    const { url, db } = await freshDatabase('batch_duplicates');
    try {
      const first = events.slice(0, 400);
      // Repeats inside the batch, some in the same slice of 7, some slices apart.
      const withRepeats = [...first.slice(0, 10), first[3], ...first.slice(10, 200), first[150], first[20], ...first.slice(200)];
      const a = await projectRecords(db, toRecords(withRepeats), position(withRepeats.length), { sliceSize: 7 });
      expect(a.outcome).toEqual({ projected: 400, duplicates: 3, deadLettered: 0 });
      // The next batch starts with 50 events the previous one already stored.
      const second = events.slice(350);
      const b = await projectRecords(db, toRecords(second, withRepeats.length), position(withRepeats.length + second.length), { sliceSize: 7 });
      expect(b.outcome).toEqual({ projected: events.length - 400, duplicates: 50, deadLettered: 0 });
      expect(await snapshotReadModels(url)).toEqual(await snapshotReadModels(clean.url));
    } finally {
      await db.destroy();
    }
  });

  it('a batch delivered again whole changes nothing and counts every event as a duplicate; new control events in it are still projected', async () => {
    const { url, db } = await freshDatabase('batch_redelivered');
    try {
      const batch = events.slice(0, 300);
      await projectRecords(db, toRecords(batch), position(batch.length), { sliceSize: 40 });
      const once = await snapshotReadModels(url);
      const again = await projectRecords(db, toRecords(batch), position(batch.length), { sliceSize: 40 });
      expect(again.outcome).toEqual({ projected: 0, duplicates: batch.length, deadLettered: 0 });
      expect(await snapshotReadModels(url)).toEqual(once);
      // Stored decisions again, with the control events of the rest of the stream that were never stored.
      const newControls = events.slice(300).filter((e) => !isDecision(e));
      const storedDecisions = batch.filter(isDecision);
      const mixed = await projectRecords(db, toRecords([...storedDecisions, ...newControls]), position(storedDecisions.length + newControls.length), { sliceSize: 40 });
      expect(mixed.outcome).toEqual({ projected: newControls.length, duplicates: storedDecisions.length, deadLettered: 0 });
      const [controls] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM control_event`);
      expect(controls.n).toBe(batch.filter((e) => !isDecision(e)).length + newControls.length);
    } finally {
      await db.destroy();
    }
  });

  it('poison records are handed over inside the transaction, before the checkpoint; later records are projected', async () => {
    const { url, db } = await freshDatabase('batch_poison');
    try {
      const records = toRecords(events.slice(0, 30));
      records.splice(12, 0, { ...records[0], offset: '12', value: Buffer.from('{not json') });
      const reported: { poison: readonly PoisonRecord[]; checkpoint: unknown[] }[] = [];
      const { outcome, poison } = await projectRecords(db, records, position(31), {
        sliceSize: 5,
        onPoison: async (found) => {
          reported.push({ poison: found, checkpoint: [...(await readCheckpoints(db, 'g', [{ topic: 't', partition: 0 }]))] });
        },
      });
      expect(outcome).toEqual({ projected: 30, duplicates: 0, deadLettered: 1 });
      expect(poison.map((p) => p.reason)).toEqual(['invalid_json']);
      expect(reported).toEqual([{ poison, checkpoint: [] }]);
      expect(await readCheckpoints(db, 'g', [{ topic: 't', partition: 0 }])).toEqual([{ groupId: 'g', topic: 't', partition: 0, nextOffset: '31' }]);
      const [row] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM decision`);
      expect(row.n).toBe(events.slice(0, 30).filter(isDecision).length);
    } finally {
      await db.destroy();
    }
  });

  it('an event another transaction stores while the batch runs is counted once', async () => {
    const { url, db } = await freshDatabase('batch_concurrent');
    try {
      const batch = events.slice(0, 40);
      const contested = batch.filter(isDecision)[25];
      let commitOther: () => void = () => undefined;
      const otherMayCommit = new Promise<void>((resolve) => (commitOther = resolve));
      let otherInserted: () => void = () => undefined;
      const inserted = new Promise<void>((resolve) => (otherInserted = resolve));
      const other = inTransaction(db, async (tx) => {
        await insertDecisions(tx, [toDecisionRow(contested)]);
        otherInserted();
        await otherMayCommit;
      });
      await inserted;
      const projecting = projectRecords(db, toRecords(batch), position(batch.length), { sliceSize: 10 });
      // Bounded wait until our COPY is blocked on the other transaction's row, then let it commit.
      for (let i = 0; i < 100; i += 1) {
        const [waiting] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
        if (waiting.n > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      commitOther();
      await other;
      const { outcome } = await projecting;
      expect(outcome).toEqual({ projected: batch.length - 1, duplicates: 1, deadLettered: 0 });
      const [row] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM decision WHERE id = $1`, [contested.id.toLowerCase()]);
      expect(row.n).toBe(1);
    } finally {
      await db.destroy();
    }
  });
});

describe('a batch continues the stored checkpoint or writes nothing', () => {
  const events = generateEvents(40, { seed: 13 });

  it('a batch whose expected checkpoint is not the stored one (the database lost commits) is refused with CheckpointMovedError and changes nothing', async () => {
    const { url, db } = await freshDatabase('batch_fence');
    try {
      await projectRecords(db, toRecords(events.slice(0, 10)), { ...position(10), continuesCheckpoint: '0' });
      const before = await snapshotReadModels(url);
      // The projector believes 20 is stored (it was told the commit of 10..19 succeeded; a crash lost it).
      const refused = await projectRecords(db, toRecords(events.slice(20, 30), 20), { ...position(30), continuesCheckpoint: '20' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(CheckpointMovedError);
      expect(refused).toMatchObject({ stored: '10', expected: '20' });
      expect(await snapshotReadModels(url)).toEqual(before);
      expect((await readCheckpoints(db, 'g', [{ topic: 't', partition: 0 }])).map((c) => c.nextOffset)).toEqual(['10']);
      // From the stored checkpoint it goes on.
      await projectRecords(db, toRecords(events.slice(10, 30), 10), { ...position(30), continuesCheckpoint: '10' });
      expect((await readCheckpoints(db, 'g', [{ topic: 't', partition: 0 }])).map((c) => c.nextOffset)).toEqual(['30']);
      const [count] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM decision`);
      expect(count.n).toBe(events.slice(0, 30).filter(isDecision).length);
    } finally {
      await db.destroy();
    }
  });
});
