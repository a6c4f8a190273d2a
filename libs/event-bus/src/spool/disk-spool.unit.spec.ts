import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BusRecord } from '../bus.port';
import { DiskSpool } from './disk-spool';
import { encodeFrame } from './record-frame.codec';

const record = (i: number): BusRecord => ({ topic: 't.v1', key: `k${i % 3}`, value: Buffer.from(JSON.stringify({ id: i })) });
const records = (from: number, to: number): BusRecord[] => Array.from({ length: to - from }, (_, i) => record(from + i));
const ids = (spool: DiskSpool): number[] => drain(spool).map((r) => JSON.parse(r.value.toString()).id);
function drain(spool: DiskSpool): BusRecord[] {
  const out: BusRecord[] = [];
  for (let segment = spool.oldest(); segment; segment = spool.oldest()) {
    out.push(...segment.records);
    spool.release(segment.id);
  }
  return out;
}

describe('disk spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records come back in the order they were appended, across segments', () => {
    const spool = DiskSpool.open({ dir, maxBytes: 1 << 20, segmentBytes: 300 });
    expect(spool.append(records(0, 10))).toBe(10);
    expect(spool.append(records(10, 25))).toBe(15);
    expect(readdirSync(dir).length).toBeGreaterThan(2);
    expect(spool.records).toBe(25);
    expect(ids(spool)).toEqual([...Array(25).keys()]);
    expect(spool.records).toBe(0);
    expect(spool.bytes).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('append stops at maxBytes and reports how many records it took', () => {
    const frame = encodeFrame(record(0)).length;
    const spool = DiskSpool.open({ dir, maxBytes: frame * 4 + 1 });
    expect(spool.append(records(0, 3))).toBe(3);
    expect(spool.append(records(3, 6))).toBe(1);
    expect(spool.append(records(6, 7))).toBe(0);
    expect(spool.bytes).toBeLessThanOrEqual(frame * 4 + 1);
    expect(ids(spool)).toEqual([0, 1, 2, 3]);
  });

  it('a disabled spool (maxBytes 0) takes nothing and stays empty and readable', () => {
    const spool = DiskSpool.open({ dir, maxBytes: 0, segmentBytes: 1 << 20 });
    expect(spool.append(records(0, 3))).toBe(0);
    expect(spool.isEmpty).toBe(true);
    expect(spool.oldest()).toBeUndefined();
  });

  it('a full spool refuses more without leaving an empty segment behind', () => {
    const frame = encodeFrame(record(0)).length;
    const spool = DiskSpool.open({ dir, maxBytes: frame * 2, segmentBytes: frame * 2 });
    expect(spool.append(records(0, 2))).toBe(2);
    expect(spool.append(records(2, 4))).toBe(0);
    expect(ids(spool)).toEqual([0, 1]);
    expect(spool.append(records(4, 5))).toBe(1);
    expect(ids(spool)).toEqual([4]);
    expect(spool.isEmpty).toBe(true);
  });

  it('a prepended batch is read before segments written earlier', () => {
    const spool = DiskSpool.open({ dir, maxBytes: 1 << 20, segmentBytes: 200 });
    spool.append(records(5, 10));
    spool.prepend(records(0, 5));
    spool.append(records(10, 12));
    expect(ids(spool)).toEqual([...Array(12).keys()]);
  });

  it('a spool reopened after a crash (files left, nothing closed) holds every appended record', () => {
    const crashed = DiskSpool.open({ dir, maxBytes: 1 << 20, segmentBytes: 500 });
    crashed.append(records(0, 20));
    crashed.prepend(records(-2, 0));
    const reopened = DiskSpool.open({ dir, maxBytes: 1 << 20, segmentBytes: 500 });
    expect(reopened.records).toBe(22);
    reopened.append(records(20, 23));
    expect(ids(reopened)).toEqual([-2, -1, ...Array(23).keys()]);
  });

  it('a torn last frame is reported as damage and the intact records before it are kept', () => {
    const spool = DiskSpool.open({ dir, maxBytes: 1 << 20 });
    spool.append(records(0, 3));
    spool.close();
    const [file] = readdirSync(dir);
    appendFileSync(path.join(dir, file), encodeFrame(record(3)).subarray(0, 10));
    const reopened = DiskSpool.open({ dir, maxBytes: 1 << 20 });
    const segment = reopened.oldest();
    expect(segment?.damage).toBe('torn frame payload');
    expect(segment?.records.map((r) => r.key)).toEqual(['k0', 'k1', 'k2']);
  });

  it('the directory is created at the first write, not at open', () => {
    const nested = path.join(dir, 'spool', 'authn-1');
    const spool = DiskSpool.open({ dir: nested, maxBytes: 1 << 20 });
    expect(readdirSync(dir)).toEqual([]);
    spool.append(records(0, 1));
    expect(readdirSync(nested)).toHaveLength(1);
  });

  it('files that are not segments are left alone', () => {
    appendFileSync(path.join(dir, 'notes.txt'), 'hello');
    const spool = DiskSpool.open({ dir, maxBytes: 1 << 20 });
    expect(spool.isEmpty).toBe(true);
    expect(spool.oldest()).toBeUndefined();
  });
});
