// Topics of a scale-out spec. The harness's createTopics waits for the partitions' leaders, but
// on a loaded machine the broker can answer that wait with UNKNOWN_TOPIC_OR_PARTITION for a topic
// it created a moment ago (its metadata not yet visible): then the topics exist, and this waits
// until every partition has an offset to read.
import { waitFor } from '@authtrail/testing';
import type { Kafka } from 'kafkajs';
import { createTopics, type TestTopics } from '../../../testdata/projector.harness';

export async function createScaleOutTopics(kafka: Kafka, topics: TestTopics, decisionPartitions: number): Promise<void> {
  try {
    await createTopics(kafka, topics, decisionPartitions);
  } catch (error) {
    if ((error as { type?: unknown }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const expected: [string, number][] = [[topics.decisions, decisionPartitions], [topics.control, 1], [topics.deadLetter, 1]];
    for (const [topic, partitions] of expected) {
      await waitFor(`topic ${topic} with ${partitions} partitions`, async () => ((await admin.fetchTopicOffsets(topic)).length === partitions ? true : undefined), { timeoutMs: 30_000 });
    }
  } finally {
    await admin.disconnect();
  }
}
