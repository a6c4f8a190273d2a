import fc from 'fast-check';
import { encodeKafkaRecord, type KafkaRecordInput } from './kafka-record.encoder';

// kafkajs' own record encoder and decoder: the bytes must be the same, and decode to the input.
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (input: KafkaRecordInput) => { buffer: Buffer };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (bytes: Buffer) => unknown;
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (decoder: unknown, batchContext: object) => { key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | Buffer[]>; offset: string; timestamp: string };
const decodeVarIntLength = (bytes: Buffer) => {
  let value = 0;
  let shift = 0;
  let at = 0;
  for (;;) {
    const byte = bytes[at++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { length: (value >>> 1) ^ -(value & 1), at };
  }
};

const bytesOrString = fc.oneof(fc.string({ maxLength: 60 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)));
const recordInput: fc.Arbitrary<KafkaRecordInput> = fc.record(
  {
    offsetDelta: fc.nat(1_000_000),
    timestampDelta: fc.oneof(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }).map((n) => Number(n))),
    key: fc.option(bytesOrString, { nil: null }),
    value: fc.option(bytesOrString, { nil: null }),
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.oneof(bytesOrString, fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }))),
  },
  { requiredKeys: ['value'] },
);

describe('kafka record encoder', () => {
  it('writes the bytes kafkajs writes, for any record', () => {
    fc.assert(
      fc.property(recordInput, fc.boolean(), (input, frozen) => {
        const given = frozen && input.headers ? { ...input, headers: Object.freeze({ ...input.headers }) } : input;
        expect(encodeKafkaRecord(given).buffer.equals(kafkajsRecord(input).buffer)).toBe(true);
        // Twice: a frozen headers object is encoded from the cache the second time.
        expect(encodeKafkaRecord(given).buffer.equals(kafkajsRecord(input).buffer)).toBe(true);
      }),
    );
  });

  it('records cut from the same and from later slabs keep their bytes (none is overwritten by the next)', () => {
    const inputs = Array.from({ length: 2_000 }, (_, i) => ({ offsetDelta: i, key: `user-${i}`, value: Buffer.alloc(900 + (i % 50), i & 0xff) }));
    const encoded = inputs.map((input) => encodeKafkaRecord(input).buffer);
    // A record too large for a slab gets a buffer of its own, also in between.
    const large = encodeKafkaRecord({ key: 'big', value: Buffer.alloc(100_000, 7) }).buffer;
    inputs.forEach((input, i) => expect(encoded[i].equals(kafkajsRecord(input).buffer)).toBe(true));
    expect(large.equals(kafkajsRecord({ key: 'big', value: Buffer.alloc(100_000, 7) }).buffer)).toBe(true);
  });

  it('a record decodes to its key, value, headers and deltas', () => {
    const headers = Object.freeze({ 'content-type': 'application/cloudevents+json', trace: ['a', 'b'] });
    const encoded = encodeKafkaRecord({ offsetDelta: 3, timestampDelta: 1_234, key: 'alice', value: Buffer.from('{"id":"1"}'), headers }).buffer;
    const { length, at } = decodeVarIntLength(encoded);
    expect(length).toBe(encoded.length - at);
    const record = decodeRecord(new Decoder(encoded.subarray(at)), { firstOffset: '100', firstTimestamp: '1000', magicByte: 2, isControlBatch: false });
    expect(record.key?.toString()).toBe('alice');
    expect(record.value?.toString()).toBe('{"id":"1"}');
    expect(record.offset).toBe('103');
    expect(record.timestamp).toBe('2234');
    expect(record.headers['content-type']?.toString()).toBe('application/cloudevents+json');
    expect((record.headers['trace'] as Buffer[]).map(String)).toEqual(['a', 'b']);
  });

  it('a null key or value is written as length -1 (a Kafka null)', () => {
    const encoded = encodeKafkaRecord({ key: null, value: null }).buffer;
    // length, attributes, timestamp delta 0, offset delta 0, key -1 (zig-zag 1), value -1, no headers
    expect([...encoded]).toEqual([12, 0, 0, 0, 1, 1, 0]);
  });

  it('a header without a value is refused with an error naming the header (kafkajs refuses it too)', () => {
    expect(() => encodeKafkaRecord({ value: 'v', headers: { broken: null } })).toThrow('Kafka header "broken" has no value');
    expect(() => kafkajsRecord({ value: 'v', headers: { broken: null } })).toThrow();
  });

  it('a timestamp delta that is not an integer is refused with a RangeError, as kafkajs refuses it', () => {
    expect(() => encodeKafkaRecord({ value: 'v', timestampDelta: 0.5 })).toThrow(/not .*integer/);
    expect(() => kafkajsRecord({ value: 'v', timestampDelta: 0.5 })).toThrow(/not .*integer/);
  });
});
