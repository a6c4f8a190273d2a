import { Client } from 'pg';
import { createTestDatabase, freePort, testKafka, uniqueTopic, waitForKafka } from './index';

describe('test infrastructure', () => {
  it('a real Kafka broker carries 1,000 messages to a consumer group', async () => {
    const kafka = testKafka();
    const topic = uniqueTopic('harness');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 1000 }, (_, i) => `message-${i}`);
    await producer.sendBatch({
      topicMessages: [{ topic, messages: sent.map((value, i) => ({ key: `k${i % 17}`, value })) }],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${topic}.group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.add(String(message.value));
            if (received.size === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect([...received].sort()).toEqual([...sent].sort());
  });

  it('a real PostgreSQL answers queries in a database of this file alone', async () => {
    const client = new Client({ connectionString: await createTestDatabase('harness') });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; db: string }>('select version(), current_database() as db');
      expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
      expect(rows[0].db).toMatch(/^harness_[0-9a-f]{8}$/);
    } finally {
      await client.end();
    }
  });

  it('an unreachable broker fails with the address that was tried', async () => {
    const port = await freePort();
    await expect(waitForKafka(`127.0.0.1:${port}`, { timeoutMs: 1500 })).rejects.toThrow(
      `Kafka not reachable at 127.0.0.1:${port}`,
    );
  });
});
