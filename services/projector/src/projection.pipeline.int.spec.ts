import { encodeEvent, type AuthtrailEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { openReadModel, readCheckpoints, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase } from '@authtrail/testing';
import { generateEvents, isDecision } from '../testdata/event-generator';
import { queryRows, snapshotReadModels } from '../testdata/projector.harness';
import { projectRecords, type BatchPosition, type RecordsProjection } from './batch.handler';
import { EarlierBatchFailedError, ProjectionPipeline } from './projection.pipeline';

const toRecords = (events: readonly AuthtrailEvent[], firstOffset: number): ConsumedRecord[] =>
  events.map((event, i) => ({ topic: 't', partition: 0, offset: String(firstOffset + i), key: null, value: encodeEvent(event), headers: {}, timestamp: '0' }));

const position = (continues: number, next: number): BatchPosition => ({
  groupId: 'g', topic: 't', partition: 0, nextOffset: String(next), highWatermark: String(next), continuesCheckpoint: String(continues),
});

async function freshDatabase(name: string): Promise<{ url: string; db: ReadModelDb }> {
  const url = await createTestDatabase(name);
  await runMigrations(url);
  return { url, db: await openReadModel(url) };
}

const storedCheckpoint = async (db: ReadModelDb): Promise<string[]> => (await readCheckpoints(db, 'g', [{ topic: 't', partition: 0 }])).map((c) => c.nextOffset);

describe('ProjectionPipeline: the next batch decoded while the one before commits', () => {
  const events = generateEvents(600, { seed: 21 });
  let clean: { url: string; db: ReadModelDb };

  beforeAll(async () => {
    clean = await freshDatabase('pipeline_clean');
    await projectRecords(clean.db, toRecords(events, 0), position(0, events.length));
  });
  afterAll(async () => {
    await clean?.db.destroy();
  });

  it('batches submitted back to back are written in order, each continuing the checkpoint of the one before: the read models equal one batch of everything', async () => {
    const { url, db } = await freshDatabase('pipeline_order');
    try {
      const pipeline = new ProjectionPipeline(db, { sliceSize: 30 });
      const results: Promise<RecordsProjection>[] = [];
      for (let from = 0; from < events.length; from += 100) {
        const batch = events.slice(from, from + 100);
        results.push(pipeline.submit(toRecords(batch, from), position(from, from + batch.length)));
      }
      const outcomes = (await Promise.all(results)).map((r) => r.outcome);
      const sizes = Array.from({ length: Math.ceil(events.length / 100) }, (_, k) => Math.min(100, events.length - k * 100));
      expect(outcomes).toEqual(sizes.map((n) => ({ projected: n, duplicates: 0, deadLettered: 0 })));
      expect(await storedCheckpoint(db)).toEqual([String(events.length)]);
      expect(await snapshotReadModels(url)).toEqual(await snapshotReadModels(clean.url));
    } finally {
      await db.destroy();
    }
  });

  it('a batch that fails mid-pipeline leaves the one before committed and writes none after it; redelivered from the stored checkpoint (with events already stored), every counter is exact', async () => {
    const { url, db } = await freshDatabase('pipeline_crash');
    try {
      // Batch 2 carries a poison record, and handing it over fails: the transaction dies after its COPY ran.
      const crashing = new ProjectionPipeline(db, {
        sliceSize: 40,
        onPoison: async () => {
          throw new Error('simulated crash while batch 2 is written');
        },
      });
      const batch2 = toRecords(events.slice(200, 400), 201);
      const poison: ConsumedRecord = { ...batch2[0], offset: '200', value: Buffer.from('{not json') };
      const first = crashing.submit(toRecords(events.slice(0, 200), 0), position(0, 200));
      const second = crashing.submit([poison, ...batch2], position(200, 401));
      const rest = events.length - 400;
      const third = crashing.submit(toRecords(events.slice(400), 401), position(401, 401 + rest));
      expect((await first).outcome).toEqual({ projected: 200, duplicates: 0, deadLettered: 0 });
      await expect(second).rejects.toThrow('simulated crash while batch 2 is written');
      const refused = await third.catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(EarlierBatchFailedError);
      expect(await storedCheckpoint(db)).toEqual(['200']);
      const [stored] = await queryRows<{ n: number }>(url, `SELECT count(*)::int AS n FROM decision`);
      expect(stored.n).toBe(events.slice(0, 200).filter(isDecision).length);

      // Resumed from the stored checkpoint; the redelivery also repeats 50 events of batch 1 (a producer retry).
      const resumed = new ProjectionPipeline(db, { sliceSize: 40, onPoison: async () => undefined });
      const again = [poison, ...toRecords(events.slice(150, 400), 201)];
      const a = resumed.submit(again, position(200, 451));
      const b = resumed.submit(toRecords(events.slice(400), 451), position(451, 451 + rest));
      expect((await a).outcome).toEqual({ projected: 200, duplicates: 50, deadLettered: 1 });
      expect((await b).outcome).toEqual({ projected: rest, duplicates: 0, deadLettered: 0 });
      expect(await storedCheckpoint(db)).toEqual([String(451 + rest)]);
      expect(await snapshotReadModels(url)).toEqual(await snapshotReadModels(clean.url));
    } finally {
      await db.destroy();
    }
  });
});
