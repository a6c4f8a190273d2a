import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { containsSecret } from '@authtrail/testing';
import { CLOUDEVENTS_JSON_CONTENT_TYPE, decodeEvent, encodeEvent, partitionKeyOfEvent, toBusRecord, type DecodeFailureReason } from './cloudevent.codec';
import { DECISION_EVENT_TYPE, POLICY_APPLIED_EVENT_TYPE, TOPICS, type DecisionEvent } from './decision.event';
import { topicOf } from './event-catalogue';
import { controlEvent, decisionEvent } from './event.builders';
import { createFingerprinter } from './fingerprint';
import { eventArbitrary } from './testdata/event.arbitraries';
import { ALLOWED_DECISION, DENIED_DECISION, FIXED_ID, FIXED_TIME, SOURCE } from './testdata/event.fixtures';

const origin = { id: FIXED_ID, time: FIXED_TIME, source: SOURCE };
const allowed = decisionEvent({ ...origin, data: ALLOWED_DECISION });

describe('encodeEvent', () => {
  it('writes the structured-mode JSON with the envelope attributes first (golden)', () => {
    expect(encodeEvent(allowed).toString('utf8')).toBe(
      '{"specversion":"1.0","id":"019acea0-1f3b-7abc-8def-0123456789ab","source":"/authtrail/authn/pod-7",' +
        '"type":"authtrail.authn.decision.v1","time":"2026-11-29T10:15:30.123Z","datacontenttype":"application/json",' +
        '"dataschema":"urn:authtrail:schema:authtrail.authn.decision.v1","subject":"alice",' +
        '"data":{"decision":"allow","httpStatus":200,"reason":"ok","strategy":"static-token",' +
        '"attempts":[{"strategy":"static-token","outcome":"authenticated"}],' +
        '"user":{"username":"alice","uid":"1001","groups":["dev","system:authenticated"],"extra":{}},' +
        `"credential":{"type":"static-token","fingerprint":"hmac-sha256:k2026:${'ab'.repeat(32)}","publicId":"1001"},` +
        '"request":{"endpoint":"tokenreview","sourceIp":"10.0.0.7","userAgent":"kube-apiserver/v1.34","tls":true},' +
        '"latencyMicros":412,"instance":"pod-7","sequence":1}}',
    );
  });
});

describe('toBusRecord', () => {
  it('keys the record by subject, structured mode: content-type is the only header (golden)', () => {
    expect(toBusRecord(TOPICS.decisions, allowed)).toEqual({
      topic: 'authtrail.decisions.v1',
      key: 'alice',
      value: encodeEvent(allowed),
      headers: { 'content-type': 'application/cloudevents+json' },
    });
  });

  it('an event without subject is keyed by the partition key of its data', () => {
    const { subject: _subject, ...withoutSubject } = decisionEvent({ ...origin, data: DENIED_DECISION });
    expect(toBusRecord(TOPICS.decisions, withoutSubject).key).toBe('bob');
    const policy = controlEvent({ ...origin, type: POLICY_APPLIED_EVENT_TYPE, data: { version: 1, document: '' } });
    const { subject: _policySubject, ...policyWithoutSubject } = policy;
    expect(partitionKeyOfEvent(policyWithoutSubject)).toBe('policy');
  });

  it('each type knows its topic', () => {
    expect(topicOf(DECISION_EVENT_TYPE)).toBe(TOPICS.decisions);
    expect(topicOf(POLICY_APPLIED_EVENT_TYPE)).toBe(TOPICS.control);
    expect(CLOUDEVENTS_JSON_CONTENT_TYPE).toBe('application/cloudevents+json');
  });
});

describe('decodeEvent', () => {
  const json = (value: unknown) => JSON.stringify(value);
  const cases: ReadonlyArray<readonly [string, string | Buffer | null, DecodeFailureReason, string]> = [
    ['a record without value (a Kafka tombstone) is invalid_json', null, 'invalid_json', 'the record has no value'],
    ['bytes that are not JSON are invalid_json', Buffer.from([0xff, 0x00, 0x7b]), 'invalid_json', 'the record value (3 characters) is not valid JSON'],
    ['an empty value is invalid_json', '', 'invalid_json', 'the record value (0 characters) is not valid JSON'],
    ['a JSON array is not an envelope', '[1,2]', 'invalid_envelope', 'the event is not a JSON object'],
    ['JSON null is not an envelope', 'null', 'invalid_envelope', 'the event is not a JSON object'],
    ['an object without id is an invalid envelope', json({ ...allowed, id: undefined }), 'invalid_envelope', "/ must have required property 'id'"],
    ['CloudEvents 0.3 is an unsupported version', json({ ...allowed, specversion: '0.3' }), 'unsupported_version', 'only CloudEvents specversion 1.0 is supported'],
    ['a type no one defined is unknown_type', json({ ...allowed, type: 'com.example.login' }), 'unknown_type', 'unknown event type (17 characters)'],
    ['a type named like an Object.prototype member is unknown_type', json({ ...allowed, type: 'constructor' }), 'unknown_type', 'unknown event type (11 characters)'],
    ['a type named __proto__ is unknown_type', json({ ...allowed, type: '__proto__' }), 'unknown_type', 'unknown event type (9 characters)'],
    ['a later version of a known type is an unsupported version', json({ ...allowed, type: 'authtrail.authn.decision.v2' }), 'unsupported_version', 'no upcaster from "authtrail.authn.decision.v2" to a current version'],
    ['an earlier version without an upcaster is an unsupported version', json({ ...allowed, type: 'authtrail.authn.decision.v0' }), 'unsupported_version', 'no upcaster from "authtrail.authn.decision.v0" to a current version'],
    ['data that breaks the schema is invalid_data', json({ ...allowed, data: { ...ALLOWED_DECISION, decision: 'maybe' } }), 'invalid_data', '/data/decision must be equal to one of the allowed values'],
    ['decision data under a control type is invalid_data', json({ ...allowed, type: POLICY_APPLIED_EVENT_TYPE }), 'invalid_data', "/data must have required property 'version'"],
  ];
  it.each(cases)('%s', (_sentence, input, reason, detail) => {
    expect(decodeEvent(input)).toEqual({ ok: false, reason, detail });
  });

  it('a value of another type at run time (a JavaScript caller) is invalid_json, not a throw', () => {
    for (const value of [undefined, 42, { a: 1 }]) {
      expect(decodeEvent(value as unknown as string)).toEqual({ ok: false, reason: 'invalid_json', detail: 'the record value is neither bytes nor a string' });
    }
  });

  it('a valid record decodes to the event, from a Buffer, a Uint8Array or a string', () => {
    const value = encodeEvent(allowed);
    expect(decodeEvent(value)).toEqual({ ok: true, event: allowed });
    expect(decodeEvent(new Uint8Array(value))).toEqual({ ok: true, event: allowed });
    expect(decodeEvent(value.toString('utf8'))).toEqual({ ok: true, event: allowed });
  });

  it('extension attributes added by another producer are kept', () => {
    const result = decodeEvent(JSON.stringify({ ...allowed, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }));
    expect(result.ok && (result.event as unknown as Record<string, unknown>)['traceparent']).toMatch(/^00-/);
  });

  it('a failure detail never quotes the input', () => {
    const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;
    const inputs = [
      `{"token": ${secret}}`,
      secret,
      JSON.stringify({ ...allowed, [secret]: 1 }).replace(/"[^"]*"/, `"${secret}"`),
      JSON.stringify({ ...allowed, data: { ...ALLOWED_DECISION, reason: secret } }),
      JSON.stringify({ ...allowed, data: { ...ALLOWED_DECISION, credential: { type: 'x', fingerprint: secret } } }),
      JSON.stringify({ ...allowed, time: secret }),
      JSON.stringify({ ...allowed, [secret]: 1 }),
      JSON.stringify({ ...allowed, type: secret }),
      JSON.stringify({ ...allowed, type: `${secret}.v1` }),
      JSON.stringify({ ...allowed, specversion: secret }),
      JSON.stringify({ ...allowed, data: { ...ALLOWED_DECISION, [secret]: true } }),
      JSON.stringify({ ...allowed, data: { ...ALLOWED_DECISION, user: { username: 'a', groups: [], extra: { [secret]: 'x' } } } }),
    ];
    for (const input of inputs) {
      const result = decodeEvent(input);
      expect(result.ok).toBe(false);
      expect(containsSecret(JSON.stringify(result), [secret])).toBe(false);
    }
  });

  it('decoding arbitrary bytes never throws (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(decodeEvent(Buffer.from(bytes)).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('decoding arbitrary JSON never throws (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = decodeEvent(JSON.stringify(value) ?? '');
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('decoding a valid envelope with any attribute or data replaced never throws (property)', () => {
    const attributes = Object.keys(allowed);
    fc.assert(
      fc.property(fc.constantFrom(...attributes), fc.jsonValue(), fc.constantFrom(...Object.keys(ALLOWED_DECISION)), fc.boolean(), (attribute, replacement, dataKey, inData) => {
        const mutated = inData ? { ...allowed, data: { ...ALLOWED_DECISION, [dataKey]: replacement } } : { ...allowed, [attribute]: replacement };
        const result = decodeEvent(JSON.stringify(mutated));
        if (!result.ok) expect(result.detail.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('encode then decode gives back every generated valid event (property)', () => {
    fc.assert(
      fc.property(eventArbitrary, (event) => {
        expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, event });
      }),
      { numRuns: 300 },
    );
  });
});

describe('no secret in an encoded event', () => {
  it('a decision with the fingerprint of a token and a claimed-username hash contains neither the token nor the username', () => {
    const fingerprinter = createFingerprinter({ keys: [{ id: 'k1', secret: randomBytes(32) }] });
    const rawToken = `${randomBytes(6).toString('hex')}.${randomBytes(16).toString('hex')}`;
    const username = `user-${randomBytes(6).toString('hex')}`;
    const event: DecisionEvent = decisionEvent({
      ...origin,
      data: {
        ...DENIED_DECISION,
        claimedUsername: undefined,
        claimedUsernameHash: fingerprinter.usernameHash(username),
        credential: { type: 'bootstrap-token', fingerprint: fingerprinter.fingerprint(rawToken), publicId: rawToken.slice(0, 12) },
      },
    });
    const record = toBusRecord(TOPICS.decisions, JSON.parse(encodeEvent(event).toString('utf8')));
    const written = Buffer.concat([Buffer.from(record.key), record.value, Buffer.from(JSON.stringify(record.headers))]);
    expect(containsSecret(written, [rawToken, username])).toBe(false);
    expect(decodeEvent(record.value).ok).toBe(true);
  });
});
