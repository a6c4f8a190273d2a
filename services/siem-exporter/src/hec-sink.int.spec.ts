import type { AuthtrailEvent } from '@authtrail/events';
import { testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { counterValue, startTestExporter, type RunningExporter } from './testdata/exporter-harness';
import { decisionAt, publishEvents, waitUntil } from './testdata/decision-stream.fixture';
import { startHecServer, type HecServer } from './testdata/hec-server';

// Made up for the test; the point is that it never shows up in logs or dead letters.
const HEC_TOKEN = 'hec-test-token-5f0d8a2b';

async function createTopics(): Promise<{ decisions: string; control: string; deadLetter: string }> {
  const topics = { decisions: uniqueTopic('siem-hec-dec'), control: uniqueTopic('siem-hec-ctl'), deadLetter: uniqueTopic('siem-hec-dlq') };
  const admin = testKafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: topics.decisions, numPartitions: 2 }, { topic: topics.control }, { topic: topics.deadLetter }], waitForLeaders: true });
  await admin.disconnect();
  return topics;
}

async function readTopic(topic: string, expected: number): Promise<{ key: string | null; value: string; headers: Record<string, string> }[]> {
  const consumer = testKafka().consumer({ groupId: uniqueTopic('siem-hec-reader') });
  const records: { key: string | null; value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      records.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
    },
  });
  try {
    await waitUntil(() => records.length >= expected, 20_000, `${expected} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

describe('splunk-hec sink against a local HEC endpoint', () => {
  let hec: HecServer | undefined;
  let running: RunningExporter | undefined;

  afterEach(async () => {
    await running?.stop();
    await hec?.close();
    running = undefined;
    hec = undefined;
  });

  const hecSink = (url: string, extra: Record<string, unknown> = {}) => ({ type: 'splunk-hec', name: 'splunk', url, tokenEnv: 'TEST_HEC_TOKEN', batchSize: 10, ...extra });

  it('an endpoint that fails a few times and then accepts gets every event, with the token header, after retries', async () => {
    const topics = await createTopics();
    hec = await startHecServer((_body, index) => (index < 3 ? 503 : 200));
    const events: AuthtrailEvent[] = Array.from({ length: 25 }, (_, n) => decisionAt(n));
    await publishEvents(testKafka(), topics.decisions, events);
    running = await startTestExporter(testKafkaBrokers(), { groupId: uniqueTopic('siem-hec-g'), topics, sinks: [hecSink(hec.url)] }, { TEST_HEC_TOKEN: HEC_TOKEN });
    const server = hec;
    await waitUntil(() => events.every((e) => server.acceptedIds().has(e.id)), 30_000, 'HEC to accept every event');

    expect(await counterValue(running.exporter.metrics.retried, 'splunk')).toBeGreaterThanOrEqual(3);
    expect(server.requests.every((r) => r.headers.authorization === `Splunk ${HEC_TOKEN}`)).toBe(true);
    const first = JSON.parse(server.requests.find((r) => r.status === 200)?.body.split('\n')[0] ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({ source: 'authtrail', sourcetype: 'ocsf:authentication', event: { class_uid: 3002 } });
    expect(running.logs()).toContain('sink unavailable; retrying');
    expect(running.logs()).not.toContain(HEC_TOKEN);
  });

  it('an event the endpoint refuses with 400 goes to the dead-letter topic and the others are delivered', async () => {
    const topics = await createTopics();
    const events: AuthtrailEvent[] = Array.from({ length: 12 }, (_, n) => decisionAt(n));
    const poison = events[5]?.id ?? '';
    hec = await startHecServer((body) => (body.includes(poison) ? 400 : 200));
    await publishEvents(testKafka(), topics.decisions, events);
    running = await startTestExporter(testKafkaBrokers(), { groupId: uniqueTopic('siem-hec-g'), topics, sinks: [hecSink(hec.url)] }, { TEST_HEC_TOKEN: HEC_TOKEN });
    const exporter = running.exporter;
    // Batches of other partitions may still be on their way when the refused one is dead-lettered.
    await waitUntil(async () => (await counterValue(exporter.metrics.deadLettered, 'splunk')) >= 1 && (await counterValue(exporter.metrics.delivered, 'splunk')) >= 11, 30_000, 'the refused event to be dead-lettered and the others delivered');

    expect([...hec.acceptedIds()].sort()).toEqual(events.map((e) => e.id).filter((id) => id !== poison).sort());
    expect(await counterValue(exporter.metrics.delivered, 'splunk')).toBe(11);
    const [letter] = await readTopic(topics.deadLetter, 1);
    expect(letter?.headers).toMatchObject({ authtrail_dlq_sink: 'splunk', authtrail_dlq_topic: topics.decisions });
    expect(letter?.headers['authtrail_dlq_reason']).toContain('HEC answered 400');
    expect((JSON.parse(letter?.value ?? '{}') as { id: string }).id).toBe(poison);
    expect(JSON.stringify(letter)).not.toContain(HEC_TOKEN);
  });

  it('an exporter stopped while the endpoint is down commits nothing: a new one delivers every event', async () => {
    const topics = await createTopics();
    let up = false;
    hec = await startHecServer(() => (up ? 200 : 503));
    const events: AuthtrailEvent[] = Array.from({ length: 15 }, (_, n) => decisionAt(n));
    await publishEvents(testKafka(), topics.decisions, events);
    const groupId = uniqueTopic('siem-hec-g');
    const first = await startTestExporter(testKafkaBrokers(), { groupId, topics, sinks: [hecSink(hec.url)] }, { TEST_HEC_TOKEN: HEC_TOKEN });
    await waitUntil(async () => (await counterValue(first.exporter.metrics.retried, 'splunk')) >= 2, 30_000, 'the first exporter to retry');
    await first.stop();

    up = true;
    running = await startTestExporter(testKafkaBrokers(), { groupId, topics, sinks: [hecSink(hec.url)] }, { TEST_HEC_TOKEN: HEC_TOKEN });
    const server = hec;
    await waitUntil(() => events.every((e) => server.acceptedIds().has(e.id)), 30_000, 'the second exporter to deliver every event');
    // The server counts an event when it answers; the exporter, once it has read that answer.
    const exporter = running.exporter;
    await waitUntil(async () => (await counterValue(exporter.metrics.delivered, 'splunk')) >= events.length, 10_000, 'the second exporter to count every delivery');
    expect(await counterValue(exporter.metrics.delivered, 'splunk')).toBe(15);
  });
});
