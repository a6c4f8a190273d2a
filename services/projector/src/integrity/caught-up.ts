// Whether a projector group has projected everything Kafka held: the chain verifier names a gap
// only after that (chain-verification.ts), since a partition still catching up may hold it.
import { readCheckpoints, type ReadModelDb } from '@authtrail/read-model';

export type EndOffsets = (topic: string) => Promise<ReadonlyMap<number, bigint>>;

/** Every partition of `topics` checkpointed by `groupId` at or past the end offsets Kafka answers (asked first). */
export async function caughtUpWithKafka(db: ReadModelDb, groupId: string, topics: readonly string[], endOffsets: EndOffsets): Promise<boolean> {
  const perTopic = await Promise.all(topics.map(async (topic) => ({ topic, ends: await endOffsets(topic) })));
  const partitions = perTopic.flatMap(({ topic, ends }) => [...ends.keys()].map((partition) => ({ topic, partition })));
  const projected = new Map((await readCheckpoints(db, groupId, partitions)).map((c) => [`${c.topic}/${c.partition}`, BigInt(c.nextOffset)]));
  return perTopic.every(({ topic, ends }) => [...ends].every(([partition, end]) => (projected.get(`${topic}/${partition}`) ?? 0n) >= end));
}
