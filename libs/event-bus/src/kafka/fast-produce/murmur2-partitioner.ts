// Java-compatible key partitioning (Kafka's DefaultPartitioner for keyed records:
// `toPositive(murmur2(utf8(key))) % partitions`), so a key lands where a Java client puts it.
// kafkajs' own murmur2 does its 32-bit arithmetic on BigInt-backed Longs (≈ 3 µs a record here);
// Math.imul is the same arithmetic in 32-bit integers. Records of the bus always have a key; a
// record without one goes round-robin over the partitions that have a leader, as in kafkajs.
import type { PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's `Utils.murmur2` (signed 32-bit result). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i += 1) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  // Kafka's switch falls through from 3 to 1.
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ data[tail], M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionOfKey(key: string | Buffer, partitions: number): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return (murmur2(bytes) & 0x7fffffff) % partitions;
}

/** A kafkajs `createPartitioner`: the message's partition when set, else by key, else round-robin. */
export function createMurmur2Partitioner() {
  let roundRobin = Math.floor(Math.random() * 0x7fffffff);
  return ({ partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) return partitionOfKey(message.key, partitionMetadata.length);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    roundRobin = (roundRobin + 1) & 0x7fffffff;
    return available.length > 0 ? available[roundRobin % available.length].partitionId : roundRobin % partitionMetadata.length;
  };
}
