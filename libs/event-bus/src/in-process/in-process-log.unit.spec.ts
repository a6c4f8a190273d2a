// The in-process bus as `npm start` runs it for a long time: segmented persisted topics, retention
// by what consumer groups read, group offsets across restarts, group commit (buffered / strict),
// and consumers that never run on the publishing turn.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConsumedBatch, EventBus, SubscribeOptions } from '../bus.port';
import { decodeFrames, encodeFrame } from '../spool/record-frame.codec';
import { parseTestRecord, testRecord, testSecret } from '../testdata/test-records';
import { inProcessBuses } from '../testdata/in-process-buses';
import type { InProcessBusOptions } from './in-process-bus';

const secret = testSecret();
const DECISIONS = 'authtrail.decisions.v1';
const CONTROL = 'authtrail.control.v1';
/** Test records are ~330 bytes framed; 64 KiB segments hold ~190 of them. */
const SEGMENT_BYTES = 64 * 1024;

describe('in-process bus over time', () => {
  const buses = inProcessBuses({ persistTopics: [CONTROL, DECISIONS], segmentBytes: SEGMENT_BYTES, retainRecords: 100 });
  const bus = (options: InProcessBusOptions = {}): EventBus => buses.open(options);
  const close = (b: EventBus): Promise<void> => buses.close(b);
  function publish(b: EventBus, from: number, to: number, topic = DECISIONS): Promise<unknown> {
    return Promise.all(Array.from({ length: to - from }, (_, i) => b.publisher.publish(testRecord(topic, 'run', from + i, `user-${(from + i) % 5}`, secret))));
  }
  async function consumeUntil(b: EventBus, options: Omit<SubscribeOptions, 'handleBatch'>, count: number, onBatch?: (batch: ConsumedBatch) => void) {
    const seqs: number[] = [];
    const offsets: number[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const subscription = await b.subscriber.subscribe({
      ...options,
      handleBatch: async (batch) => {
        onBatch?.(batch);
        seqs.push(...batch.records.map((r) => parseTestRecord(r.value).seq));
        offsets.push(...batch.records.map((r) => Number(r.offset)));
        if (seqs.length >= count) done();
      },
    });
    await finished;
    await subscription.stop();
    return { seqs, offsets };
  }
  const segmentsOf = (topic: string) => readdirSync(path.join(buses.dataDir, 'bus', `${topic}-0`)).filter((f) => f.endsWith('.log'));
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it('a persisted topic rolls into segments, and a consumer far behind the memory tail reads every record from disk, in order, after a restart too', async () => {
    const first = bus();
    await publish(first, 0, 2_000);
    await first.publisher.flush();
    expect(segmentsOf(DECISIONS).length).toBeGreaterThan(5);
    // Memory keeps the newest 100; the other 1,900 come from the segment files.
    const before = await consumeUntil(first, { groupId: 'reader', topics: [DECISIONS], fromBeginning: true }, 2_000);
    expect(before.seqs).toEqual(range(0, 2_000));
    expect(before.offsets).toEqual(range(0, 2_000));
    await close(first);

    const second = bus();
    await publish(second, 2_000, 2_100);
    const after = await consumeUntil(second, { groupId: 'another-reader', topics: [DECISIONS], fromBeginning: true }, 2_100);
    expect(after.seqs).toEqual(range(0, 2_100));
    expect(after.offsets).toEqual(range(0, 2_100));
  });

  it('retention deletes the segments every group has read, keeps retainRecords, and a group that has not read holds them back, across a restart', async () => {
    const first = bus();
    await publish(first, 0, 1_000);
    await first.publisher.flush();
    const segments = segmentsOf(DECISIONS).length;
    await consumeUntil(first, { groupId: 'fast', topics: [DECISIONS], fromBeginning: true }, 1_000);
    // A second group read only its first batch, then stopped.
    await consumeUntil(first, { groupId: 'slow', topics: [DECISIONS], fromBeginning: true }, 1);
    await close(first);

    const second = bus();
    await new Promise((r) => setTimeout(r, 1_500));
    // "slow" committed offset ≤ 500 (one batch) is stored: the segments after it are still needed.
    expect(segmentsOf(DECISIONS).length).toBeGreaterThanOrEqual(Math.floor(segments / 2));
    await consumeUntil(second, { groupId: 'slow', topics: [DECISIONS], fromBeginning: true }, 1_000 - 500);
    await new Promise((r) => setTimeout(r, 1_500));
    // Both read everything: what remains is the active segment plus what holds the newest 100.
    const left = segmentsOf(DECISIONS);
    expect(left.length).toBeLessThanOrEqual(2);
    const kept = left.flatMap((f) => [...(decodeFrames(readFileSync(path.join(buses.dataDir, 'bus', `${DECISIONS}-0`, f))).records)]);
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(parseTestRecord(kept[kept.length - 1].value).seq).toBe(999);
    // The control topic is never trimmed.
    await publish(second, 0, 1_000, CONTROL);
    await consumeUntil(second, { groupId: 'control-reader', topics: [CONTROL], fromBeginning: true }, 1_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await second.subscriber.readToEnd(CONTROL, () => undefined)).toBe(1_000);
  });

  it('a single-file log of the earlier layout is adopted as the first segment, offsets and timestamps kept', async () => {
    mkdirSync(path.join(buses.dataDir, 'bus'), { recursive: true });
    const old = range(0, 3).map((seq) => encodeFrame(testRecord(CONTROL, 'old', seq, 'policy', secret), 1_700_000_000_000 + seq));
    writeFileSync(path.join(buses.dataDir, 'bus', `${CONTROL}-0.log`), Buffer.concat(old));
    const b = bus();
    await publish(b, 3, 4, CONTROL);
    const read: [string, number, string][] = [];
    await b.subscriber.readToEnd(CONTROL, (r) => void read.push([r.offset, parseTestRecord(r.value).seq, r.timestamp]));
    expect(read.slice(0, 3)).toEqual(range(0, 3).map((seq) => [String(seq), seq, String(1_700_000_000_000 + seq)]));
    expect(read[3].slice(0, 2)).toEqual(['3', 3]);
    expect(readdirSync(path.join(buses.dataDir, 'bus')).filter((f) => f.endsWith('.log'))).toEqual([]);
  });

  it('a group resumes after a restart where it committed (siem-exporter), not from the beginning', async () => {
    const first = bus();
    await publish(first, 0, 300);
    await consumeUntil(first, { groupId: 'exporter', topics: [DECISIONS], fromBeginning: true }, 300);
    await close(first);
    const second = bus();
    await publish(second, 300, 310);
    const resumed = await consumeUntil(second, { groupId: 'exporter', topics: [DECISIONS], fromBeginning: true }, 10);
    expect(resumed.seqs).toEqual(range(300, 310));
  });

  it('consumers never run on the publishing turn, and get what one turn published as one batch', async () => {
    const b = bus({ persistTopics: [] });
    const batches: number[][] = [];
    const subscription = await b.subscriber.subscribe({ groupId: 'views', topics: [DECISIONS], handleBatch: async (batch) => void batches.push(batch.records.map((r) => parseTestRecord(r.value).seq)) });
    const published = publish(b, 0, 50);
    await published;
    await Promise.resolve();
    expect(batches).toEqual([]);
    for (let i = 0; i < 100 && batches.flat().length < 50; i += 1) await new Promise((r) => setTimeout(r, 10));
    await subscription.stop();
    expect(batches).toEqual([range(0, 50)]);
  });

  it('a memory-only topic keeps what a lagging group still needs beyond retainRecords, and only the tail when nobody reads it', async () => {
    const b = bus({ persistTopics: [], retainRecords: 10, maxRecordsPerPartition: 5_000 });
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const seqs: number[] = [];
    const subscription = await b.subscriber.subscribe({
      groupId: 'lagging',
      topics: [DECISIONS],
      handleBatch: async (batch) => {
        await blocked;
        seqs.push(...batch.records.map((r) => parseTestRecord(r.value).seq));
      },
    });
    await publish(b, 0, 1);
    await new Promise((r) => setTimeout(r, 20));
    await publish(b, 1, 2_000);
    await new Promise((r) => setTimeout(r, 1_500));
    release();
    for (let i = 0; i < 300 && seqs.length < 2_000; i += 1) await new Promise((r) => setTimeout(r, 10));
    await subscription.stop();
    expect(seqs).toEqual(range(0, 2_000));

    await publish(b, 0, 2_000, 'authtrail.unread.v1');
    await new Promise((r) => setTimeout(r, 1_500));
    await publish(b, 0, 1, 'authtrail.unread.v1');
    const left = await b.subscriber.readToEnd('authtrail.unread.v1', () => undefined);
    expect(left).toBeGreaterThanOrEqual(10);
    expect(left).toBeLessThanOrEqual(10 + 64 + 1);
  });

  it('buffered: publish resolves before the record reaches the disk; readToEnd and flush() see and commit it', async () => {
    const b = bus({ commitIntervalMs: 60_000 });
    await publish(b, 0, 3);
    const file = path.join(buses.dataDir, 'bus', `${DECISIONS}-0`, segmentsOf(DECISIONS)[0]);
    expect(statSync(file).size).toBe(0);
    expect(await b.subscriber.readToEnd(DECISIONS, () => undefined)).toBe(3);
    await publish(b, 3, 5);
    await b.publisher.flush();
    expect(decodeFrames(readFileSync(file)).records.map((r) => parseTestRecord(r.value).seq)).toEqual(range(0, 5));
  });

  it('strict: publish resolves only once the record is on disk', async () => {
    const b = bus({ mode: 'strict', commitIntervalMs: 20 });
    const file = () => path.join(buses.dataDir, 'bus', `${DECISIONS}-0`, segmentsOf(DECISIONS)[0]);
    for (let seq = 0; seq < 5; seq += 1) {
      await b.publisher.publish(testRecord(DECISIONS, 'run', seq, 'user', secret));
      expect(decodeFrames(readFileSync(file())).records.map((r) => parseTestRecord(r.value).seq)).toEqual(range(0, seq + 1));
    }
  });

  describe('SIGKILL mid-publish, then restart', () => {
    async function crash(mode: 'strict' | 'buffered', commitIntervalMs: number, killAfterAcks: number) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../testdata/in-process-crash-publisher.ts'), buses.dataDir, DECISIONS, mode, String(commitIntervalMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acked: { seq: number; at: number }[] = [];
      let buffer = '';
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('acked ')) acked.push({ seq: Number(line.slice(6)), at: performance.now() });
        if (acked.length >= killAfterAcks && child.exitCode === null) child.kill('SIGKILL');
      });
      const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timeout);
      const killedAt = performance.now();
      const after = bus();
      const stored: number[] = [];
      await after.subscriber.readToEnd(DECISIONS, (r) => void stored.push(parseTestRecord(r.value).seq));
      return { acked, stored, killedAt };
    }

    it('strict: every acknowledged record is there, once', async () => {
      const { acked, stored } = await crash('strict', 5, 3_000);
      const have = new Set(stored);
      expect(acked.filter(({ seq }) => !have.has(seq))).toEqual([]);
      expect(have.size).toBe(stored.length);
    });

    it('buffered: what is lost is at most the last group — the records acknowledged within one commit interval before the kill', async () => {
      const commitIntervalMs = 300;
      const { acked, stored, killedAt } = await crash('buffered', commitIntervalMs, 20_000);
      const have = new Set(stored);
      const lost = acked.filter(({ seq }) => !have.has(seq));
      // The stored records are a prefix of the publish order: nothing is missing below the newest kept one.
      expect(stored).toEqual(range(0, stored.length));
      // Each lost record was acknowledged after the last write, i.e. within the last commit interval
      // (plus the time the kill took to land: the parent read the ack, then killed).
      const lastGroupStart = killedAt - commitIntervalMs - 200;
      expect(lost.filter(({ at }) => at < lastGroupStart)).toEqual([]);
      expect(have.size).toBe(stored.length);
    });
  });
});
