import fc from 'fast-check';
import type { PartitionerArgs, PartitionMetadata } from 'kafkajs';
import { createMurmur2Partitioner, murmur2, partitionOfKey } from './murmur2-partitioner';

// kafkajs' Long-based port of the Java murmur2: an independent implementation to agree with.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;

const metadata = (leaders: readonly number[]): PartitionMetadata[] =>
  leaders.map((leader, partitionId) => ({ partitionId, leader, partitionErrorCode: 0, replicas: [leader], isr: [leader] }));
const args = (message: PartitionerArgs['message'], leaders: readonly number[]): PartitionerArgs => ({ topic: 't', partitionMetadata: metadata(leaders), message });

describe('murmur2 partitioner', () => {
  // The cases of Kafka's own UtilsTest.testMurmur2 (clients/src/test/java/org/apache/kafka/common/utils).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2("%s") is %d, as in Java', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('agrees with kafkajs on any key, so every key keeps its partition', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 1, max: 64 }), (key, partitions) => {
        expect(murmur2(Buffer.from(key, 'utf8'))).toBe(kafkajsMurmur2(key));
        expect(partitionOfKey(key, partitions)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % partitions);
      }),
    );
  });

  it('a keyed record goes to the partition of its key; a string and its UTF-8 bytes go to the same one', () => {
    const partitioner = createMurmur2Partitioner();
    const key = 'system:serviceaccount:kube-system:ünïcödé';
    const expected = (kafkajsMurmur2(key) & 0x7fffffff) % 6;
    expect(partitioner(args({ key, value: 'v' }, [1, 1, 1, 1, 1, 1]))).toBe(expected);
    expect(partitioner(args({ key: Buffer.from(key, 'utf8'), value: 'v' }, [1, 1, 1, 1, 1, 1]))).toBe(expected);
  });

  it('a record with a partition of its own keeps it', () => {
    expect(createMurmur2Partitioner()(args({ key: 'alice', value: 'v', partition: 4 }, [1, 1, 1, 1, 1, 1]))).toBe(4);
  });

  it('records without a key go round-robin over the partitions that have a leader', () => {
    const partitioner = createMurmur2Partitioner();
    const chosen = new Set(Array.from({ length: 30 }, () => partitioner(args({ value: 'v' }, [1, -1, 1, -1, 1, 1]))));
    expect([...chosen].sort()).toEqual([0, 2, 4, 5]);
  });
});
