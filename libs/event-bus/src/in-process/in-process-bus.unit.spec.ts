import { TOPICS } from '@authtrail/events';
import { appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ConsumedBatch, EventBus, SubscribeOptions } from '../bus.port';
import { parseTestRecord, testRecord, testSecret } from '../testdata/test-records';
import { inProcessBuses } from '../testdata/in-process-buses';
import { DEFAULT_PERSISTED_TOPICS, type InProcessBusOptions } from './in-process-bus';
import { FETCH_MIN_RECORDS } from './in-process-group';

const secret = testSecret();
const CONTROL = 'authtrail.control.v1';
const DECISIONS = 'authtrail.decisions.v1';

describe('in-process bus', () => {
  const buses = inProcessBuses({ topics: { [DECISIONS]: { partitions: 3 } } });
  const bus = (options: InProcessBusOptions = {}): EventBus => buses.open(options);
  async function publish(b: EventBus, topic: string, from: number, to: number, key = (s: number) => `user-${s % 5}`): Promise<void> {
    for (let seq = from; seq < to; seq += 1) await b.publisher.publish(testRecord(topic, 'run', seq, key(seq), secret));
  }
  /** Subscribes and resolves with the seqs delivered once `until` holds for them. */
  async function consume(b: EventBus, options: Omit<SubscribeOptions, 'handleBatch'>, until: (seqs: number[]) => boolean, onBatch?: (batch: ConsumedBatch) => void) {
    const seqs: number[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const subscription = await b.subscriber.subscribe({
      ...options,
      handleBatch: async (batch) => {
        onBatch?.(batch);
        seqs.push(...batch.records.map((r) => parseTestRecord(r.value).seq));
        if (until(seqs)) done();
      },
    });
    return { seqs, finished, subscription };
  }

  it('the default persisted topic is the control topic of libs/events', () => {
    expect(DEFAULT_PERSISTED_TOPICS).toEqual([TOPICS.control]);
  });

  it('a group receives every record once, in order per key, spread over the configured partitions', async () => {
    const b = bus();
    await publish(b, DECISIONS, 0, 1_000);
    const partitions = new Set<number>();
    const { seqs, finished, subscription } = await consume(b, { groupId: 'g', topics: [DECISIONS], fromBeginning: true }, (s) => s.length === 1_000, (batch) => partitions.add(batch.partition));
    await finished;
    await subscription.stop();
    expect([...seqs].sort((x, y) => x - y)).toEqual([...Array(1_000).keys()]);
    for (let k = 0; k < 5; k += 1) {
      const ofKey = seqs.filter((s) => s % 5 === k);
      expect(ofKey).toEqual([...ofKey].sort((x, y) => x - y));
    }
    expect(partitions.size).toBeGreaterThan(1);
  });

  it('with a fetch wait, records published one at a time reach the consumer as one batch', async () => {
    // A wait far longer than the test: the batch can only come from the records being there.
    const b = bus({ fetchMaxWaitMs: 60_000 });
    const batches: number[][] = [];
    const { finished, subscription } = await consume(b, { groupId: 'linger', topics: [CONTROL], fromBeginning: true }, (s) => s.length === FETCH_MIN_RECORDS, (batch) => batches.push(batch.records.map((r) => parseTestRecord(r.value).seq)));
    for (let seq = 0; seq < FETCH_MIN_RECORDS; seq += 1) {
      await b.publisher.publish(testRecord(CONTROL, 'linger', seq, 'one-key', secret));
      // Each publish on a turn of its own, as requests come.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await finished;
    await subscription.stop();
    expect(batches).toEqual([[...Array(FETCH_MIN_RECORDS).keys()]]);
  });

  it('with a fetch wait, fewer records than the minimum are delivered once the oldest has waited', async () => {
    const b = bus({ fetchMaxWaitMs: 30 });
    const batches: number[][] = [];
    const { finished, subscription } = await consume(b, { groupId: 'linger-short', topics: [CONTROL], fromBeginning: true }, (s) => s.length === 3, (batch) => batches.push(batch.records.map((r) => parseTestRecord(r.value).seq)));
    for (let seq = 0; seq < 3; seq += 1) await b.publisher.publish(testRecord(CONTROL, 'linger-short', seq, 'one-key', secret));
    await finished;
    await subscription.stop();
    expect(batches.flat()).toEqual([0, 1, 2]);
  });

  it('two members of one group share the partitions and together see every record once', async () => {
    const b = bus();
    const seen: number[][] = [[], []];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const member = (i: number) =>
      b.subscriber.subscribe({
        groupId: 'shared',
        topics: [DECISIONS],
        fromBeginning: true,
        handleBatch: async ({ records }) => {
          seen[i].push(...records.map((r) => parseTestRecord(r.value).seq));
          if (seen[0].length + seen[1].length === 300) done();
        },
      });
    const [a, c] = [await member(0), await member(1)];
    await publish(b, DECISIONS, 0, 300, (s) => `user-${s}`);
    await finished;
    await Promise.all([a.stop(), c.stop()]);
    expect(seen[0].length).toBeGreaterThan(0);
    expect(seen[1].length).toBeGreaterThan(0);
    expect([...seen[0], ...seen[1]].sort((x, y) => x - y)).toEqual([...Array(300).keys()]);
  });

  it('a batch whose handler throws is delivered again, and offsets advance only after success', async () => {
    const b = bus({ topics: { [DECISIONS]: { partitions: 1 } } });
    await publish(b, DECISIONS, 0, 10);
    let failures = 0;
    const delivered: number[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const subscription = await b.subscriber.subscribe({
      groupId: 'redeliver',
      topics: [DECISIONS],
      fromBeginning: true,
      handleBatch: async ({ records }) => {
        if (failures < 2) {
          failures += 1;
          throw new Error('database unavailable');
        }
        delivered.push(...records.map((r) => parseTestRecord(r.value).seq));
        done();
      },
    });
    await finished;
    await subscription.stop();
    expect(failures).toBe(2);
    expect(delivered).toEqual([...Array(10).keys()]);

    // The group committed offset 10: a new member resumes after it.
    await publish(b, DECISIONS, 10, 12);
    const again = await consume(b, { groupId: 'redeliver', topics: [DECISIONS], fromBeginning: true }, (s) => s.includes(11));
    await again.finished;
    await again.subscription.stop();
    expect(again.seqs).toEqual([10, 11]);
  });

  it('resolveStartOffsets decides where each assigned partition starts', async () => {
    const b = bus({ topics: { [DECISIONS]: { partitions: 1 } } });
    await publish(b, DECISIONS, 0, 20);
    const [first] = (await collect(b, DECISIONS)).map((r) => Number(r.offset));
    const asked: unknown[] = [];
    const run = await consume(
      b,
      {
        groupId: 'checkpoint',
        topics: [DECISIONS],
        fromBeginning: true,
        resolveStartOffsets: async (assigned) => {
          asked.push(assigned);
          return [{ topic: DECISIONS, partition: 0, offset: String(first + 15) }];
        },
      },
      (s) => s.includes(19),
    );
    await run.finished;
    await run.subscription.stop();
    expect(asked).toEqual([[{ topic: DECISIONS, partition: 0 }]]);
    expect(run.seqs).toEqual([15, 16, 17, 18, 19]);
  });

  it('a resolveStartOffsets that fails is asked again, and consumption starts where it then says', async () => {
    const b = bus({ topics: { [DECISIONS]: { partitions: 1 } } });
    await publish(b, DECISIONS, 0, 10);
    const [first] = (await collect(b, DECISIONS)).map((r) => Number(r.offset));
    let calls = 0;
    const run = await consume(
      b,
      {
        groupId: 'flaky-checkpoint',
        topics: [DECISIONS],
        fromBeginning: true,
        resolveStartOffsets: async () => {
          calls += 1;
          if (calls === 1) throw new Error('database not ready');
          return [{ topic: DECISIONS, partition: 0, offset: String(first + 8) }];
        },
      },
      (s) => s.includes(9),
    );
    await run.finished;
    await run.subscription.stop();
    expect(calls).toBe(2);
    expect(run.seqs).toEqual([8, 9]);
  });

  it('after a failed batch every partition resumes where resolveStartOffsets then says (a checkpoint that went back is read again)', async () => {
    const b = bus({ topics: { [DECISIONS]: { partitions: 1 } } });
    await publish(b, DECISIONS, 0, 5);
    const [first] = (await collect(b, DECISIONS)).map((r) => Number(r.offset));
    let checkpoint = first;
    let failed = false;
    const delivered: number[] = [];
    const subscription = await b.subscriber.subscribe({
      groupId: 'lossy-store',
      topics: [DECISIONS],
      resolveStartOffsets: async () => [{ topic: DECISIONS, partition: 0, offset: String(checkpoint) }],
      handleBatch: async (batch) => {
        const seqs = batch.records.map((r) => parseTestRecord(r.value).seq);
        if (seqs[0] === 5 && !failed) {
          // The store crashed and lost its last commits: its checkpoint is back at 3.
          failed = true;
          checkpoint = first + 3;
          throw new Error('database crashed');
        }
        delivered.push(...seqs);
        checkpoint = Number(batch.records[batch.records.length - 1].offset) + 1;
      },
    });
    for (let i = 0; i < 200 && !delivered.includes(4); i += 1) await new Promise((r) => setTimeout(r, 10));
    await publish(b, DECISIONS, 5, 10);
    for (let i = 0; i < 300 && !delivered.includes(9); i += 1) await new Promise((r) => setTimeout(r, 10));
    await subscription.stop();
    expect(delivered).toEqual([0, 1, 2, 3, 4, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('readToEnd hands back the error of a handler that throws', async () => {
    const b = bus();
    await publish(b, CONTROL, 0, 2, () => 'policy');
    await expect(
      b.subscriber.readToEnd(CONTROL, () => {
        throw new Error('control event rejected');
      }),
    ).rejects.toThrow('control event rejected');
  });

  it('a group without fromBeginning sees only records published after subscribe resolved', async () => {
    const b = bus();
    await publish(b, DECISIONS, 0, 5);
    const run = await consume(b, { groupId: 'latest', topics: [DECISIONS] }, (s) => s.length === 3);
    await publish(b, DECISIONS, 5, 8);
    await run.finished;
    await run.subscription.stop();
    expect([...run.seqs].sort()).toEqual([5, 6, 7]);
  });

  it('readToEnd reads what was there at the call, and a missing topic as 0 records', async () => {
    const b = bus();
    await publish(b, DECISIONS, 0, 50);
    const seqs: number[] = [];
    const count = await b.subscriber.readToEnd(DECISIONS, async (r) => {
      seqs.push(parseTestRecord(r.value).seq);
      if (seqs.length === 1) await publish(b, DECISIONS, 50, 60);
    });
    expect(count).toBe(50);
    expect(seqs.sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    await expect(b.subscriber.readToEnd('never.written.v1', () => undefined)).resolves.toBe(0);
  });

  it('control records survive a restart with their offsets; decision records are memory-only and their offsets move past the old ones', async () => {
    const before = bus();
    await publish(before, CONTROL, 0, 3, () => 'policy');
    await publish(before, DECISIONS, 0, 3);
    const controlBefore = await collect(before, CONTROL);
    const decisionOffsets = (await collect(before, DECISIONS)).map((r) => BigInt(r.offset));
    await before.close();
    await new Promise((r) => setTimeout(r, 2));

    const after = bus();
    const controlAfter = await collect(after, CONTROL);
    expect(controlAfter.map((r) => [r.offset, r.key, r.value?.toString(), r.headers, r.timestamp])).toEqual(controlBefore.map((r) => [r.offset, r.key, r.value?.toString(), r.headers, r.timestamp]));
    expect(await collect(after, DECISIONS)).toEqual([]);
    await publish(after, DECISIONS, 3, 4);
    const [fresh] = await collect(after, DECISIONS);
    expect(decisionOffsets.every((o) => BigInt(fresh.offset) > o)).toBe(true);
  });

  it('a checkpoint from before a restart resumes at the new log start instead of skipping new records', async () => {
    const before = bus({ topics: { [DECISIONS]: { partitions: 1 } } });
    await publish(before, DECISIONS, 0, 10);
    const checkpoint = String(BigInt((await collect(before, DECISIONS))[9].offset) + 1n);
    await before.close();
    await new Promise((r) => setTimeout(r, 2));
    const after = bus({ topics: { [DECISIONS]: { partitions: 1 } } });
    await publish(after, DECISIONS, 10, 13);
    const run = await consume(
      after,
      { groupId: 'projector', topics: [DECISIONS], resolveStartOffsets: async () => [{ topic: DECISIONS, partition: 0, offset: checkpoint }] },
      (s) => s.length === 3,
    );
    await run.finished;
    await run.subscription.stop();
    expect(run.seqs).toEqual([10, 11, 12]);
  });

  it('a torn tail in a persisted topic file (a crash mid-write) is cut off and the records before it are kept', async () => {
    const before = bus();
    await publish(before, CONTROL, 0, 2, () => 'policy');
    await before.close();
    const segmentDir = path.join(buses.dataDir, 'bus', `${CONTROL}-0`);
    const [file] = readdirSync(segmentDir);
    appendFileSync(path.join(segmentDir, file), Buffer.from([0, 0, 1, 0, 1, 2]));
    const after = bus();
    expect((await collect(after, CONTROL)).map((r) => parseTestRecord(r.value).seq)).toEqual([0, 1]);
    await publish(after, CONTROL, 2, 3, () => 'policy');
    await after.close();
    const again = bus();
    expect((await collect(again, CONTROL)).map((r) => parseTestRecord(r.value).seq)).toEqual([0, 1, 2]);
  });

  it('memory-only topics keep the newest maxRecordsPerPartition records', async () => {
    const b = bus({ topics: { [DECISIONS]: { partitions: 1 } }, maxRecordsPerPartition: 100 });
    await publish(b, DECISIONS, 0, 500);
    const kept = (await collect(b, DECISIONS)).map((r) => parseTestRecord(r.value).seq);
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThanOrEqual(110);
    expect(kept[kept.length - 1]).toBe(499);
  });

  it('after close, publish rejects with publisher_closed and a topic name that is not a file name is refused', async () => {
    const b = bus();
    await expect(b.publisher.publish(testRecord('../escape', 'run', 0, 'k', secret))).rejects.toThrow(RangeError);
    await b.close();
    await expect(b.publisher.publish(testRecord(DECISIONS, 'run', 0, 'k', secret))).rejects.toMatchObject({ code: 'publisher_closed' });
  });
});

async function collect(b: EventBus, topic: string) {
  const records: Parameters<Parameters<EventBus['subscriber']['readToEnd']>[1]>[0][] = [];
  await b.subscriber.readToEnd(topic, (r) => {
    records.push(r);
  });
  return records;
}
