// The embedded single-process mode (`npm start`): no Kafka, the in-process bus of libs/event-bus
// carries decisions in and OCSF/ECS records out through publisherTopicWriter.
import { createInProcessBus } from '@authtrail/event-bus';
import { toBusRecord, TOPICS, type AuthtrailEvent } from '@authtrail/events';
import pino from 'pino';
import { publisherTopicWriter } from './kafka/publisher-topic-writer';
import { parseSiemConfig } from './siem.config';
import { startSiemExporter } from './siem-exporter';
import { decisionAt, policyAppliedAt, waitUntil } from './testdata/decision-stream.fixture';

describe('siem-exporter on the in-process bus', () => {
  it('maps decisions and control events published in-process onto the OCSF and ECS topics', async () => {
    const bus = createInProcessBus();
    const parsed = parseSiemConfig({ sinks: [{ type: 'kafka-ocsf' }, { type: 'kafka-ecs', filter: { decisions: ['deny'], control: false } }] });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const exporter = await startSiemExporter(parsed.config, { subscriber: bus.subscriber, topicWriter: publisherTopicWriter(bus.publisher), logger: pino({ level: 'silent' }) });
    const decisions: AuthtrailEvent[] = Array.from({ length: 9 }, (_, n) => decisionAt(n));
    const control = policyAppliedAt(0);
    try {
      for (const event of decisions) await bus.publisher.publish(toBusRecord(TOPICS.decisions, event));
      await bus.publisher.publish(toBusRecord(TOPICS.control, control));

      const ocsf: string[] = [];
      await waitUntil(async () => {
        ocsf.length = 0;
        await bus.subscriber.readToEnd(TOPICS.ocsf, (record) => void ocsf.push((JSON.parse(record.value?.toString() ?? '{}') as { metadata: { uid: string } }).metadata.uid));
        return ocsf.length >= 10;
      }, 20_000, 'ten OCSF records');
      expect(new Set(ocsf)).toEqual(new Set([...decisions, control].map((e) => e.id)));

      const ecs: string[] = [];
      const denials = decisions.filter((e) => e.type === 'authtrail.authn.decision.v1' && e.data.decision === 'deny');
      await waitUntil(async () => {
        ecs.length = 0;
        await bus.subscriber.readToEnd(TOPICS.ecs, (record) => void ecs.push((JSON.parse(record.value?.toString() ?? '{}') as { event: { id: string } }).event.id));
        return ecs.length >= denials.length;
      }, 20_000, 'the ECS records of the denials');
      expect(new Set(ecs)).toEqual(new Set(denials.map((e) => e.id)));
    } finally {
      await exporter.stop();
      await bus.close();
    }
  });
});
