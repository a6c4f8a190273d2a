// Creates missing topics with their configured partitions; an existing topic is left alone
// (changing a live topic's partition count would move keys between partitions and break
// per-key order, so that stays an operator's decision).
import type { Admin, Kafka } from 'kafkajs';
import type { BusAdmin, TopicSpecs } from '../bus.port';

export interface TopicAdmin extends BusAdmin {
  disconnect(): Promise<void>;
}

export function createTopicAdmin(kafka: Kafka): TopicAdmin {
  let admin: Admin | undefined;

  async function connected(): Promise<Admin> {
    if (!admin) {
      const fresh = kafka.admin();
      try {
        await fresh.connect();
      } catch (error) {
        await fresh.disconnect().catch(() => undefined);
        throw error;
      }
      admin = fresh;
    }
    return admin;
  }

  return {
    async ensureTopics(specs: TopicSpecs): Promise<void> {
      const topics = Object.entries(specs).map(([topic, spec]) => ({
        topic,
        // -1: the broker's num.partitions, for topics nobody configured.
        numPartitions: spec.partitions,
        configEntries: spec.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(spec.retentionMs) }],
      }));
      if (topics.length === 0) return;
      try {
        const client = await connected();
        // Resolves false when they all existed; throws for anything else.
        await client.createTopics({ topics, waitForLeaders: false });
        await leadersElected(client, topics.map((t) => t.topic));
      } catch (error) {
        // A broken connection is not reused: the next call starts a fresh admin client.
        await this.disconnect();
        throw error;
      }
    },
    async disconnect(): Promise<void> {
      const current = admin;
      admin = undefined;
      await current?.disconnect().catch(() => undefined);
    },
  };
}

const LEADER_WAIT_MS = 15_000;

/**
 * Waits (bounded) until every partition of `topics` has a leader, so that a publish right after
 * does not race the controller. kafkajs' own `waitForLeaders` gives up with
 * UNKNOWN_TOPIC_OR_PARTITION on a slow broker; past the bound the producer's retries take over.
 */
async function leadersElected(admin: Admin, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  while (Date.now() < deadline) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const ready = metadata.topics.length === topics.length && metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
    } catch {
      // Metadata not propagated yet: ask again.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
