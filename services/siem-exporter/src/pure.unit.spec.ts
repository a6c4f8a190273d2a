import { decodeEvent } from '@authtrail/events';
import { backoffDelay } from './backoff';
import { passesFilter } from './event-filter';
import { chunks } from './sinks/chunking';
import { outputHeaders } from './sinks/output-headers';
import { splitOnRefusal } from './sinks/refusal-split';
import { toDeadLetterRecord } from './dead-letter';
import { decisionAt, policyAppliedAt, producerStatusAt } from './testdata/decision-stream.fixture';

describe('backoff with jitter', () => {
  const cases: readonly [string, number, number, number][] = [
    ['the first retry waits between half and all of the initial delay', 1, 0, 100],
    ['the first retry with the highest jitter waits the whole initial delay', 1, 0.999999, 200],
    ['the delay doubles per attempt', 3, 0, 400],
    ['the delay never passes the ceiling', 20, 0.999999, 5000],
  ];
  it.each(cases)('%s', (_name, attempt, random, expected) => {
    expect(backoffDelay(attempt, 200, 5000, random)).toBe(expected);
  });
});

describe('sink filters', () => {
  const allow = decisionAt(1); // bootstrap-token, allowed
  const deny = decisionAt(9); // 9 % 7 = 2: basic-auth; 9 % 3 = 0: denied
  const cases: readonly [string, Parameters<typeof passesFilter>[1], typeof allow, boolean][] = [
    ['no criteria let every decision through', { control: true }, allow, true],
    ['"only denials" drops an allowed decision', { decisions: ['deny'], control: true }, allow, false],
    ['"only denials" keeps a denial', { decisions: ['deny'], control: true }, deny, true],
    ['a strategy list drops other strategies', { strategies: ['oidc'], control: true }, deny, false],
    ['a strategy list keeps its strategies', { strategies: ['basic-auth'], control: true }, deny, true],
    ['a reason list keeps matching denials', { reasons: ['invalid_password'], control: true }, deny, true],
    ['decision criteria do not apply to control events', { decisions: ['deny'], control: true }, policyAppliedAt(0), true],
    ['control: false drops control events', { control: false }, policyAppliedAt(0), false],
    ['a producer heartbeat (running) never leaves, even with control events on', { control: true }, producerStatusAt(3, 'running'), false],
    ['a lost producer boot (an audit gap) goes out with the control events', { control: true }, producerStatusAt(3, 'lost'), true],
    ['a stopped producer goes out with the control events', { control: true }, producerStatusAt(3, 'stopped'), true],
    ['control: false drops producer status events too', { control: false }, producerStatusAt(3, 'lost'), false],
  ];
  it.each(cases)('%s', (_name, filter, event, expected) => {
    expect(passesFilter(event, filter)).toBe(expected);
  });
});

describe('batching by count and bytes', () => {
  const cases: readonly [string, string[], number, number, { start: number; end: number }[]][] = [
    ['lines are grouped by count', ['a', 'b', 'c'], 2, 1000, [{ start: 0, end: 2 }, { start: 2, end: 3 }]],
    ['lines are grouped by bytes', ['aaaa', 'bbbb', 'cccc'], 10, 11, [{ start: 0, end: 2 }, { start: 2, end: 3 }]],
    ['a line larger than the limit goes alone', ['a', 'x'.repeat(50), 'b'], 10, 10, [{ start: 0, end: 1 }, { start: 1, end: 2 }, { start: 2, end: 3 }]],
    ['no lines, no chunks', [], 10, 10, []],
  ];
  it.each(cases)('%s', (_name, lines, count, bytes, expected) => {
    expect(chunks(lines, count, bytes)).toEqual(expected);
  });
});

describe('output headers', () => {
  it('the ce_* headers of the source are kept and content-type says JSON', () => {
    const event = decisionAt(2);
    expect(outputHeaders(event, { ce_id: event.id, ce_type: event.type, 'content-type': 'application/cloudevents+json', other: 'x' }, 'application/json')).toEqual({
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: event.type,
      ce_source: event.source,
      ce_time: event.time,
      ce_subject: event.subject,
      'content-type': 'application/json',
    });
  });
});

describe('test fixtures', () => {
  it('every fixture event passes the events codec, as the exporter decodes them', () => {
    for (const event of [...Array.from({ length: 14 }, (_, n) => decisionAt(n)), policyAppliedAt(0)]) {
      const decoded = decodeEvent(JSON.stringify(event));
      expect(decoded.ok ? 'ok' : decoded.detail).toBe('ok');
    }
  });
});

describe('refusal split', () => {
  it('sends one by one and reports the refused indexes of the batch', async () => {
    const outcome = await splitOnRefusal(['a', 'bad', 'c', 'bad'], async (item) =>
      item === 'bad' ? { kind: 'refused', refused: [{ index: 0, detail: `no ${item}` }] } : { kind: 'acknowledged' },
    );
    expect(outcome).toEqual({ kind: 'refused', refused: [{ index: 1, detail: 'no bad' }, { index: 3, detail: 'no bad' }] });
  });

  it('stops at the first unavailable answer so the whole batch is tried again', async () => {
    const sent: string[] = [];
    const outcome = await splitOnRefusal(['a', 'b', 'c'], async (item) => {
      sent.push(item);
      return item === 'b' ? { kind: 'unavailable', detail: 'down' } : { kind: 'acknowledged' };
    });
    expect([outcome, sent]).toEqual([{ kind: 'unavailable', detail: 'down' }, ['a', 'b']]);
  });
});

describe('dead-letter records', () => {
  it('keep the original key, value and headers and say where they came from and why', () => {
    const record = { topic: 'authtrail.decisions.v1', partition: 2, offset: '41', key: 'alice', value: Buffer.from('{"x":1}'), headers: { ce_id: 'id-1' }, timestamp: '0' };
    expect(toDeadLetterRecord('dlq', { record, sink: 'splunk', detail: 'HEC answered 400' }, new Date('2026-11-29T00:00:00.000Z'))).toEqual({
      topic: 'dlq',
      key: 'alice',
      value: Buffer.from('{"x":1}'),
      headers: {
        ce_id: 'id-1',
        authtrail_dlq_sink: 'splunk',
        authtrail_dlq_reason: 'HEC answered 400',
        authtrail_dlq_topic: 'authtrail.decisions.v1',
        authtrail_dlq_partition: '2',
        authtrail_dlq_offset: '41',
        authtrail_dlq_time: '2026-11-29T00:00:00.000Z',
      },
    });
  });
});
