// The example configs in infra/siem: the rsyslog ones run in a real rsyslogd, the others are
// parsed and checked against the topic names and fields the exporter really uses.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TOPICS } from '@authtrail/events';
import { freePort } from '@authtrail/testing';
import { parse } from 'yaml';
import { parseSiemConfig, type SyslogSinkConfig } from './siem.config';
import { createSyslogSink } from './sinks/syslog.sink';
import { decisionAt, waitUntil } from './testdata/decision-stream.fixture';
import { startRsyslogWithConfig } from './testdata/rsyslog.process';

const INFRA = resolve(__dirname, '../../../infra/siem');
const read = (file: string): string => readFileSync(join(INFRA, file), 'utf8');
const run = promisify(execFile);

describe('infra/siem example configs', () => {
  it('the rsyslog receiver example parses the structured data of the syslog sink into JSON fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siem-rsyslog-example-'));
    const port = await freePort();
    const outFile = join(dir, 'decisions.log');
    const config = `global(workDirectory="${dir}")\n${read('rsyslog/authtrail-receiver.conf')
      .replace('port="6514"', `port="${port}" address="127.0.0.1"`)
      .replace('/var/log/authtrail/decisions.log', outFile)}`;
    const rsyslog = await startRsyslogWithConfig(dir, port, config, outFile);
    const parsed = parseSiemConfig({ sinks: [{ type: 'syslog', host: '127.0.0.1', port }] });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const sink = createSyslogSink(parsed.config.sinks[0] as SyslogSinkConfig, '0.1.0');
    const events = [decisionAt(1), decisionAt(9), decisionAt(3)];
    try {
      expect(await sink.deliver(events.map((event) => ({ event, key: null, headers: {} })))).toEqual({ kind: 'acknowledged' });
      await waitUntil(() => rsyslog.lines().length >= 3, 15_000, 'rsyslog to write three lines');
      const documents = rsyslog.lines().map((line) => JSON.parse(line) as { 'rfc5424-sd': Record<string, Record<string, string>>; msg: string; time: string });
      expect(documents.map((d) => d['rfc5424-sd']['authtrail@32473']?.['id'])).toEqual(events.map((e) => e.id));
      expect(documents[0]?.time).toBe(events[0]?.time);
      expect(documents[1]?.['rfc5424-sd']['authtrail@32473']).toMatchObject({ decision: 'deny', reason: 'invalid_password', strategy: 'basic-auth', src: '10.0.9.1' });
    } finally {
      await sink.close();
      await rsyslog.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Sentinel CEF forwarder example passes rsyslogd -N1', async () => {
    const { stderr } = await run('/usr/sbin/rsyslogd', ['-N1', '-f', join(INFRA, 'sentinel/rsyslog-cef-forwarder.conf')]);
    expect(stderr).toContain('End of config validation run');
  });

  it('the authtrail siem example is a valid siem section', () => {
    const result = parseSiemConfig((parse(read('authtrail-siem.example.yaml')) as { siem: unknown }).siem);
    expect(result.ok ? result.config.sinks.map((s) => s.type) : result.errors).toEqual(['kafka-ocsf', 'kafka-ecs', 'syslog', 'splunk-hec']);
  });

  it('Filebeat and Elastic Agent read the ECS topic with the event id as document id', () => {
    const filebeat = parse(read('elastic/filebeat.yml')) as { 'filebeat.inputs': { topics: string[]; parsers: { ndjson: { document_id: string } }[] }[] };
    expect(filebeat['filebeat.inputs'][0]).toMatchObject({ topics: [TOPICS.ecs], parsers: [{ ndjson: { document_id: 'event.id' } }] });
    const agent = parse(read('elastic/elastic-agent-kafka-input.yml')) as { inputs: { streams: { topics: string[]; parsers: { ndjson: { document_id: string } }[] }[] }[] };
    expect(agent.inputs[0]?.streams[0]).toMatchObject({ topics: [TOPICS.ecs], parsers: [{ ndjson: { document_id: 'event.id' } }] });
  });

  it('Vector, Splunk Connect for Kafka and the Sentinel pipeline read the OCSF topic', () => {
    const vector = parse(read('vector/vector.yaml')) as { sources: Record<string, { topics?: string[] }> };
    expect(vector.sources['authtrail_ocsf']?.topics).toEqual([TOPICS.ocsf]);
    const connector = JSON.parse(read('splunk/splunk-connect-for-kafka.json')) as { config: Record<string, string> };
    expect(connector.config['topics']).toBe(TOPICS.ocsf);
    expect(read('sentinel/logstash-kafka-to-sentinel.conf')).toContain(`topics => ["${TOPICS.ocsf}"]`);
  });
});
