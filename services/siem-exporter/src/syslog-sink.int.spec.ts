import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthtrailEvent } from '@authtrail/events';
import { freePort, testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { counterValue, startTestExporter, type RunningExporter } from './testdata/exporter-harness';
import { decisionAt, publishEvents, waitUntil } from './testdata/decision-stream.fixture';
import { startRsyslog, type RunningRsyslog } from './testdata/rsyslog.process';

const idOf = (line: string): string | undefined => /\[authtrail@32473 id="([^"]+)"/.exec(line)?.[1];

describe('syslog sink into a real rsyslog', () => {
  const topics = { decisions: uniqueTopic('siem-sys-dec'), control: uniqueTopic('siem-sys-ctl'), deadLetter: uniqueTopic('siem-sys-dlq') };
  let dir: string;
  let port: number;
  let rsyslog: RunningRsyslog | undefined;
  let running: RunningExporter;
  const firstEvents: AuthtrailEvent[] = Array.from({ length: 30 }, (_, n) => decisionAt(n));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'siem-rsyslog-'));
    port = await freePort();
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: topics.decisions, numPartitions: 2 }, { topic: topics.control }, { topic: topics.deadLetter }], waitForLeaders: true });
    await admin.disconnect();
    rsyslog = await startRsyslog(dir, port);
    running = await startTestExporter(testKafkaBrokers(), {
      groupId: uniqueTopic('siem-sys-group'),
      topics,
      sinks: [{ type: 'syslog', name: 'rsyslog', host: '127.0.0.1', port, connectTimeout: '1s' }],
    });
  });

  afterAll(async () => {
    await running?.stop();
    await rsyslog?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const receivedIds = (): Set<string> => new Set((rsyslog?.lines() ?? []).map(idOf).filter((id): id is string => id !== undefined));

  it('rsyslog receives every event as an RFC 5424 message with the key fields in structured data', async () => {
    const events = firstEvents;
    await publishEvents(testKafka(), topics.decisions, events);
    await waitUntil(() => events.every((e) => receivedIds().has(e.id)), 30_000, 'rsyslog to write every event id');

    const lines = rsyslog?.lines() ?? [];
    const byId = new Map(lines.map((line) => [idOf(line), line]));
    for (const event of events) {
      const line = byId.get(event.id) ?? '';
      if (event.type !== 'authtrail.authn.decision.v1') throw new Error('fixture is a decision');
      const pri = 10 * 8 + (event.data.decision === 'allow' ? 6 : event.data.reason === 'service_account_unknown' ? 4 : 5);
      expect(line.startsWith(`<${pri}>1 ${event.time} `)).toBe(true);
      expect(line).toContain(` authtrail - decision [authtrail@32473 id="${event.id}" type="authtrail.authn.decision.v1" decision="${event.data.decision}" reason="${event.data.reason}"`);
      expect(line).toContain(`src="${event.data.request.sourceIp}"`);
    }
  });

  it('rsyslog stopped in the middle of a stream and restarted later: no event is lost', async () => {
    const before = await counterValue(running.exporter.metrics.retried, 'rsyslog');
    const events: AuthtrailEvent[] = Array.from({ length: 100 }, (_, n) => decisionAt(100 + n));
    // A steady stream: ten batches, 150 ms apart; rsyslog goes away after the third.
    const streaming = (async () => {
      for (let batch = 0; batch < 10; batch += 1) {
        await publishEvents(testKafka(), topics.decisions, events.slice(batch * 10, batch * 10 + 10));
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    await waitUntil(() => events.slice(0, 30).some((e) => receivedIds().has(e.id)), 20_000, 'the stream to reach rsyslog');
    await rsyslog?.stop();
    await waitUntil(async () => (await counterValue(running.exporter.metrics.retried, 'rsyslog')) > before, 20_000, 'the sink to notice the outage and retry');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    rsyslog = await startRsyslog(dir, port);
    await streaming;

    await waitUntil(() => events.every((e) => receivedIds().has(e.id)), 40_000, 'every event of the stream to reach rsyslog');
    const received = receivedIds();
    expect([...firstEvents, ...events].filter((e) => !received.has(e.id)).map((e) => e.id)).toEqual([]);
    expect(await counterValue(running.exporter.metrics.deadLettered, 'rsyslog')).toBe(0);
  });
});
