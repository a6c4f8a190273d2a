import { ALLOWED_DECISION } from '../testdata/decision.fixtures';
import { controlEvent, decisionEvent, encodeEvent, eventSource, PRODUCER_STATUS_EVENT_TYPE } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import fc from 'fast-check';
import { createRecordDecoder, decodeRecord } from './decode-record';
import { DEAD_LETTER_HEADERS } from '@authtrail/events';
import { toDeadLetter } from './dead-letter';

const record = (value: Buffer | null): ConsumedRecord => ({ topic: 't', partition: 3, offset: '42', key: 'alice', value, headers: { 'content-type': 'application/cloudevents+json' }, timestamp: '0' });
const good = decisionEvent({ id: '019acea0-1f3b-7abc-8def-0123456789ab', time: new Date('2026-11-29T10:15:30.123Z'), source: eventSource('authn', 'pod-7'), data: ALLOWED_DECISION });
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const status = controlEvent({
  id: '019acea0-1f3b-7abc-8def-0123456789ac',
  time: new Date('2026-11-29T10:15:31.000Z'),
  source: eventSource('authn', 'pod-7'),
  type: PRODUCER_STATUS_EVENT_TYPE,
  data: { instance: 'pod-7', boot: '019acea0-0000-7000-8000-000000000001', state: 'lost', lastSequence: 12, dropped: 2 },
});

describe('decodeRecord', () => {
  it('a valid decision event decodes', () => {
    expect(decodeRecord(record(encodeEvent(good)))).toMatchObject({ ok: true, event: { id: good.id } });
  });

  it('a producer status event decodes', () => {
    expect(decodeRecord(record(encodeEvent(status)))).toMatchObject({ ok: true, event: { type: PRODUCER_STATUS_EVENT_TYPE, data: status.data } });
  });

  it.each([
    ['a tombstone (no value) is empty_value', null, 'empty_value'],
    ['bytes that are not JSON are invalid_json', Buffer.from('{"id": nope'), 'invalid_json'],
    ['a JSON array is invalid_envelope', json([1, 2]), 'invalid_envelope'],
    ['an unknown event type is rejected', json({ ...good, type: 'authtrail.something.else.v1' }), 'unknown_type'],
    ['a version of a known type with no upcaster is unsupported_version', json({ ...good, type: 'authtrail.authn.decision.v9' }), 'unsupported_version'],
    ['a decision without its required data is invalid_data', json({ ...good, data: { decision: 'allow' } }), 'invalid_data'],
    ['a NUL character PostgreSQL cannot store is unstorable', json({ ...good, data: { ...good.data, message: 'a\u0000b' } }), 'unstorable'],
    ['a lone surrogate PostgreSQL cannot store is unstorable', Buffer.from(JSON.stringify({ ...good, data: { ...good.data, message: 'x' } }).replace('"x"', '"\\ud800"')), 'unstorable'],
    ['a status lastSequence beyond 2^53 is unstorable', json({ ...status, data: { ...status.data, lastSequence: 2 ** 60 } }), 'unstorable'],
    ['a decision dropped count beyond 2^53 is unstorable', json({ ...good, data: { ...good.data, dropped: 2 ** 60 } }), 'unstorable'],
  ])('%s', (_name, value, reason) => {
    expect(decodeRecord(record(value))).toMatchObject({ ok: false, reason });
  });

  it('never throws and never quotes the input, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.json().map((s) => new TextEncoder().encode(s))), (bytes) => {
        const decoded = decodeRecord(record(Buffer.from(bytes)));
        if (!decoded.ok) expect(typeof decoded.detail).toBe('string');
      }),
      { numRuns: 300 },
    );
  });

  it('an event decoded from valid UTF-8 without upcasting is verbatim: its record bytes can be stored as the payload', () => {
    expect(decodeRecord(record(encodeEvent(good)))).toMatchObject({ ok: true, verbatim: true });
  });

  it('an event whose record is not valid UTF-8 is not verbatim (PostgreSQL would refuse the bytes)', () => {
    const text = encodeEvent(good).toString('latin1').replace('kube-apiserver', 'kube-\u00ff');
    const broken = Buffer.from(text, 'latin1');
    expect(broken.includes(0xff)).toBe(true);
    expect(decodeRecord(record(broken))).toMatchObject({ ok: true, verbatim: false });
  });

  it('an upcasted event is not verbatim: its record holds the old version', () => {
    const currentType = good.type;
    const oldType = currentType.replace(/\.v1$/, '.v0');
    const decode = createRecordDecoder({ [oldType]: (e) => ({ ...e, type: currentType }) });
    const old = Buffer.from(JSON.stringify({ ...good, type: oldType }));
    expect(decode(record(old))).toMatchObject({ ok: true, verbatim: false, event: { type: currentType } });
    expect(decode(record(encodeEvent(good)))).toMatchObject({ ok: true, verbatim: true });
  });

  it('the detail of a JSON failure does not echo a secret from the value', () => {
    const decoded = decodeRecord(record(Buffer.from('Bearer s3cr3t-token-value')));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.detail).not.toContain('s3cr3t');
  });
});

describe('toDeadLetter', () => {
  it('keeps the original bytes and key and says why and where from in headers', () => {
    const original = record(Buffer.from('garbage'));
    const letter = toDeadLetter(original, 'invalid_json', 'not valid JSON', 'dlq');
    expect(letter).toMatchObject({ topic: 'dlq', key: 'alice', value: Buffer.from('garbage') });
    expect(letter.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.code]: 'invalid_json',
      [DEAD_LETTER_HEADERS.reason]: 'not valid JSON',
      [DEAD_LETTER_HEADERS.refusedBy]: 'projector',
      [DEAD_LETTER_HEADERS.topic]: 't',
      [DEAD_LETTER_HEADERS.partition]: '3',
      [DEAD_LETTER_HEADERS.offset]: '42',
    });
  });
});
