import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DECISION_EVENT_TYPE, type AuthtrailEvent } from '@authtrail/events';
import { testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { counterValue, startTestExporter, type RunningExporter } from './testdata/exporter-harness';
import { decisionAt, policyAppliedAt, publishEvents, waitUntil } from './testdata/decision-stream.fixture';

const run = promisify(execFile);

/** Debian's kcat as an independent consumer: reads the topic from the start to its end. */
async function kcat(topic: string, json = false): Promise<string[]> {
  const args = ['-C', '-b', testKafkaBrokers().join(','), '-t', topic, '-e', '-q', ...(json ? ['-J'] : [])];
  const { stdout } = await run('kcat', args, { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((line) => line.length > 0);
}

describe('kafka-ocsf and kafka-ecs sinks on a real broker', () => {
  const topics = { decisions: uniqueTopic('siem-dec'), control: uniqueTopic('siem-ctl'), deadLetter: uniqueTopic('siem-dlq') };
  const ocsfTopic = uniqueTopic('siem-ocsf');
  const ecsTopic = uniqueTopic('siem-ecs');
  const decisions: AuthtrailEvent[] = Array.from({ length: 42 }, (_, n) => decisionAt(n));
  const control: AuthtrailEvent[] = [policyAppliedAt(0), policyAppliedAt(1)];
  let running: RunningExporter;

  beforeAll(async () => {
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: topics.decisions, numPartitions: 2 }, { topic: topics.control, numPartitions: 1 }, { topic: ocsfTopic }, { topic: ecsTopic }, { topic: topics.deadLetter }], waitForLeaders: true });
    await admin.disconnect();
    await publishEvents(testKafka(), topics.decisions, decisions);
    await publishEvents(testKafka(), topics.control, control);
    // A record no producer of authtrail would write: it must end on the dead-letter topic.
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({ topic: topics.decisions, acks: -1, messages: [{ key: 'garbage', value: 'not json at all' }] });
    await producer.disconnect();

    running = await startTestExporter(testKafkaBrokers(), {
      groupId: uniqueTopic('siem-group'),
      topics,
      sinks: [
        { type: 'kafka-ocsf', name: 'ocsf', topic: ocsfTopic },
        { type: 'kafka-ecs', name: 'ecs', topic: ecsTopic, filter: { decisions: ['deny'] }, drop: ['username', 'sourceIp'] },
      ],
    });
    const metrics = running.exporter.metrics;
    await waitUntil(async () => (await counterValue(metrics.delivered, 'ocsf')) >= 44 && (await counterValue(metrics.deadLettered, 'decoder')) >= 1, 45_000, 'the exporter to deliver every event');
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('kcat reads the OCSF topic and every line parses to an OCSF event with a published id', async () => {
    const lines = await kcat(ocsfTopic);
    const documents = lines.map((line) => JSON.parse(line) as { class_uid: number; type_uid: number; activity_id: number; metadata: { uid: string; version: string } });
    const published = new Map([...decisions, ...control].map((e) => [e.id, e]));
    expect(new Set(documents.map((d) => d.metadata.uid))).toEqual(new Set(published.keys()));
    for (const document of documents) {
      const source = published.get(document.metadata.uid);
      expect(document.class_uid).toBe(source?.type === DECISION_EVENT_TYPE ? 3002 : 0);
      expect(document.type_uid).toBe(document.class_uid * 100 + document.activity_id);
      expect(document.metadata.version).toBe('1.8.0');
    }
  });

  it('OCSF records are keyed like the source and keep the CloudEvents ce_* headers', async () => {
    const records = (await kcat(ocsfTopic, true)).map((line) => JSON.parse(line) as { key: string; headers: string[]; payload: string });
    const byId = new Map([...decisions, ...control].map((e) => [e.id, e]));
    expect(records).toHaveLength(44);
    for (const record of records) {
      const headers = Object.fromEntries(Array.from({ length: record.headers.length / 2 }, (_, i) => [record.headers[2 * i], record.headers[2 * i + 1]]));
      const source = byId.get(headers['ce_id'] as string);
      expect(source).toBeDefined();
      expect(record.key).toBe(source?.subject);
      expect(headers).toMatchObject({ ce_specversion: '1.0', ce_type: source?.type, ce_source: source?.source, ce_time: source?.time, 'content-type': 'application/json' });
      expect((JSON.parse(record.payload) as { metadata: { uid: string } }).metadata.uid).toBe(headers['ce_id']);
    }
  });

  it('the ECS sink filtered to denials carries only denials and control events, without names or addresses', async () => {
    const documents = (await kcat(ecsTopic)).map((line) => JSON.parse(line) as { event: { id: string; outcome?: string; dataset: string }; user?: unknown; source?: unknown });
    const denials = decisions.filter((e) => e.type === DECISION_EVENT_TYPE && e.data.decision === 'deny');
    expect(new Set(documents.map((d) => d.event.id))).toEqual(new Set([...denials, ...control].map((e) => e.id)));
    for (const document of documents.filter((d) => d.event.dataset === 'authtrail.decision')) {
      expect(document.event.outcome).toBe('failure');
      expect(document.source).toBeUndefined();
      expect(JSON.stringify(document)).not.toMatch(/user-\d|10\.0\.\d+\.1/);
    }
    expect(await counterValue(running.exporter.metrics.filtered, 'ecs')).toBe(decisions.length - denials.length);
  });

  it('an undecodable record lands on the dead-letter topic unchanged, with the reason in headers', async () => {
    const records = (await kcat(topics.deadLetter, true)).map((line) => JSON.parse(line) as { key: string; headers: string[]; payload: string });
    expect(records).toHaveLength(1);
    const [record] = records;
    const headers = Object.fromEntries(Array.from({ length: (record?.headers.length ?? 0) / 2 }, (_, i) => [record?.headers[2 * i], record?.headers[2 * i + 1]]));
    expect(record?.payload).toBe('not json at all');
    expect(record?.key).toBe('garbage');
    expect(headers).toMatchObject({ authtrail_dlq_sink: 'decoder', authtrail_dlq_topic: topics.decisions });
    expect(headers['authtrail_dlq_reason']).toMatch(/^invalid_json/);
  });

  it('lag is reported per partition and reaches zero once everything is handled', async () => {
    const lag = await running.exporter.metrics.lag.get();
    expect(lag.values.length).toBeGreaterThan(0);
    expect(lag.values.every((v) => v.value === 0)).toBe(true);
  });
});

describe('kafka-ocsf sink and a broker that refuses a record', () => {
  it('a record above the topic max.message.bytes is dead-lettered and the rest of the batch is delivered', async () => {
    const topics = { decisions: uniqueTopic('siem-big-dec'), control: uniqueTopic('siem-big-ctl'), deadLetter: uniqueTopic('siem-big-dlq') };
    const ocsfTopic = uniqueTopic('siem-big-ocsf');
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: topics.decisions }, { topic: topics.control }, { topic: topics.deadLetter },
        // Room for ordinary OCSF records (~2 KB), not for one with 300 groups (~8 KB). (A long user
        // agent no longer does it: the event builder keeps 512 code points of it.)
        { topic: ocsfTopic, configEntries: [{ name: 'max.message.bytes', value: '4096' }] },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const events: AuthtrailEvent[] = Array.from({ length: 8 }, (_, n) => decisionAt(n));
    const big = decisionAt(8, { user: { username: 'user-big', groups: Array.from({ length: 300 }, (_, i) => `group-${String(i).padStart(3, '0')}-of-many`), extra: {} } });
    await publishEvents(testKafka(), topics.decisions, [...events.slice(0, 4), big, ...events.slice(4)]);

    const running = await startTestExporter(testKafkaBrokers(), { groupId: uniqueTopic('siem-big-group'), topics, sinks: [{ type: 'kafka-ocsf', name: 'ocsf', topic: ocsfTopic }] });
    try {
      const metrics = running.exporter.metrics;
      await waitUntil(async () => (await counterValue(metrics.deadLettered, 'ocsf')) >= 1 && (await counterValue(metrics.delivered, 'ocsf')) >= 8, 45_000, 'one dead letter and eight deliveries');
      const delivered = (await kcat(ocsfTopic)).map((line) => (JSON.parse(line) as { metadata: { uid: string } }).metadata.uid);
      expect(new Set(delivered)).toEqual(new Set(events.map((e) => e.id)));
      const letters = (await kcat(topics.deadLetter, true)).map((line) => JSON.parse(line) as { headers: string[]; payload: string });
      expect(letters).toHaveLength(1);
      const headers = letters[0]?.headers ?? [];
      // The dead letter is the source record as it was: the event (and its id) is the value.
      expect((JSON.parse(letters[0]?.payload ?? '{}') as { id: string }).id).toBe(big.id);
      expect(headers[headers.indexOf('authtrail_dlq_sink') + 1]).toBe('ocsf');
    } finally {
      await running.stop();
    }
  });
});
