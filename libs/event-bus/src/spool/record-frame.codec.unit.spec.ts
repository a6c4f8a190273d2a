import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import type { BusRecord } from '../bus.port';
import { decodeFrames, encodeFrame, encodeFrames } from './record-frame.codec';

const recordArbitrary: fc.Arbitrary<BusRecord> = fc.record({
  topic: fc.string({ minLength: 1, maxLength: 40 }),
  key: fc.string({ maxLength: 40 }),
  value: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  headers: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), { minKeys: 1 }), { nil: undefined }),
}).map(({ headers, ...rest }) => (headers ? { ...rest, headers } : rest));

const sample: BusRecord = { topic: 'authtrail.decisions.v1', key: 'alice', value: Buffer.from('{"id":"1"}'), headers: { 'content-type': 'application/cloudevents+json' } };

describe('record frame codec', () => {
  it('any sequence of records survives encode then decode unchanged', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 20 }), (records) => {
        const outcome = decodeFrames(encodeFrames(records));
        expect(outcome.kind).toBe('complete');
        expect(outcome.records).toEqual(records);
      }),
    );
  });

  it('a frame with a timestamp gives the record back with that timestamp', () => {
    fc.assert(
      fc.property(recordArbitrary, fc.integer({ min: 0, max: 2 ** 47 }), (record, timestamp) => {
        expect(decodeFrames(encodeFrame(record, timestamp)).records).toEqual([{ ...record, timestamp }]);
      }),
    );
  });

  it('decoding arbitrary bytes never throws and never yields more bytes than it was given', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        const outcome = decodeFrames(Buffer.from(bytes));
        expect(outcome.validBytes).toBeLessThanOrEqual(bytes.length);
      }),
    );
  });

  it('a torn tail at any cut point keeps exactly the whole frames before it', () => {
    const frames = [encodeFrame(sample), encodeFrame({ ...sample, key: 'bob' }), encodeFrame({ ...sample, key: 'carol' })];
    const all = Buffer.concat(frames);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), (cut) => {
        const outcome = decodeFrames(all.subarray(0, cut));
        const ends = frames.map((_, i) => Buffer.concat(frames.slice(0, i + 1)).length);
        const whole = ends.filter((end) => end <= cut).length;
        expect(outcome.kind).toBe(cut === 0 || ends.includes(cut) ? 'complete' : 'truncated');
        expect(outcome.records.map((r) => r.key)).toEqual(['alice', 'bob', 'carol'].slice(0, whole));
      }),
    );
  });

  const corruptions: ReadonlyArray<readonly [string, (frame: Buffer) => Buffer, string]> = [
    ['a flipped payload byte fails the checksum', (f) => flip(f, f.length - 1), 'checksum mismatch'],
    ['a length beyond the 64 MiB limit is refused before allocating', (f) => withU32(f, 0, 0xffffffff), 'frame length out of range'],
    ['an unknown format version is refused', (f) => resum(flip(f, 8)), 'malformed payload'],
    ['a timed frame too short for its timestamp is refused', (f) => resum(withU8(f.subarray(0, 8 + 5), 8, 2, 5)), 'malformed payload'],
    ['headers that are not a string map are refused', (f) => resum(Buffer.from(f.toString('latin1').replace('"application/cloudevents+json"', '7'.padEnd(30)), 'latin1')), 'malformed payload'],
  ];
  it.each(corruptions)('%s', (_name, corrupt, reason) => {
    const outcome = decodeFrames(Buffer.concat([encodeFrame(sample), corrupt(encodeFrame(sample))]));
    expect(outcome).toMatchObject({ kind: 'truncated', validBytes: encodeFrame(sample).length, reason });
    expect(outcome.records).toHaveLength(1);
  });
});

function flip(frame: Buffer, at: number): Buffer {
  const copy = Buffer.from(frame);
  copy[at] = copy[at] ^ 0xff;
  return copy;
}
function withU32(frame: Buffer, at: number, value: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeUInt32BE(value, at);
  return copy;
}
function withU8(frame: Buffer, at: number, value: number, payloadLength: number): Buffer {
  const copy = Buffer.from(frame);
  copy[at] = value;
  copy.writeUInt32BE(payloadLength, 0);
  return copy;
}
/** Recomputes the checksum so that the payload check, not the CRC, is what refuses the frame. */
function resum(frame: Buffer): Buffer {
  return withU32(frame, 4, crc32(frame.subarray(8)));
}
