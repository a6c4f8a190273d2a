import fc from 'fast-check';
import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  type ControlEvent,
  type DecisionData,
} from './decision.event';
import { controlEvent, decisionEvent, eventSource } from './event.builders';
import { partitionKeyOf } from './partition-key';
import { createSequence } from './sequence';
import { validateEvent } from './schema-validators';
import { ALLOWED_DECISION, DENIED_DECISION, FIXED_ID, FIXED_TIME, SAMPLE_FINGERPRINT, SOURCE } from './testdata/event.fixtures';

const origin = { id: FIXED_ID, time: FIXED_TIME, source: SOURCE };

describe('decisionEvent', () => {
  it('wraps the data in a CloudEvents 1.0 envelope with type, dataschema and subject (golden)', () => {
    expect(decisionEvent({ ...origin, data: ALLOWED_DECISION })).toEqual({
      specversion: '1.0',
      id: FIXED_ID,
      source: SOURCE,
      type: 'authtrail.authn.decision.v1',
      time: '2026-11-29T10:15:30.123Z',
      datacontenttype: 'application/json',
      dataschema: 'urn:authtrail:schema:authtrail.authn.decision.v1',
      subject: 'alice',
      data: ALLOWED_DECISION,
    });
  });

  it.each([
    ['an allowed decision', ALLOWED_DECISION],
    ['a denied decision', DENIED_DECISION],
  ])('%s builds an event that matches the schemas', (_sentence, data) => {
    expect(validateEvent(decisionEvent({ ...origin, data }))).toEqual({ ok: true });
  });

  it('the same input always gives the same event (pure)', () => {
    expect(decisionEvent({ ...origin, data: DENIED_DECISION })).toEqual(decisionEvent({ ...origin, data: DENIED_DECISION }));
  });
});

describe('partitionKeyOf', () => {
  const base: DecisionData = { decision: 'deny', httpStatus: 401, reason: 'unknown_token', attempts: [], request: { endpoint: 'authenticate' }, instance: 'pod-7', sequence: 1 };
  const user = { username: 'alice', groups: [], extra: {} };
  const cases: ReadonlyArray<readonly [string, DecisionData, string]> = [
    ['the authenticated username comes first', { ...base, decision: 'allow', user, claimedUsername: 'mallory', credential: { type: 'x', fingerprint: SAMPLE_FINGERPRINT }, request: { endpoint: 'authenticate', sourceIp: '10.0.0.1' } }, 'alice'],
    ['a failure keys on the username the credential claimed', { ...base, claimedUsername: 'bob', credential: { type: 'basic-auth', fingerprint: SAMPLE_FINGERPRINT } }, 'bob'],
    ['without a username the credential fingerprint is the key', { ...base, credential: { type: 'static-token', fingerprint: SAMPLE_FINGERPRINT }, request: { endpoint: 'authenticate', sourceIp: '10.0.0.1' } }, SAMPLE_FINGERPRINT],
    ['without username or fingerprint the source IP is the key', { ...base, credential: { type: 'x509' }, request: { endpoint: 'forward-auth', sourceIp: '2001:db8::7' } }, '2001:db8::7'],
    ['an empty claimed username is skipped', { ...base, claimedUsername: '', request: { endpoint: 'authenticate', sourceIp: '10.0.0.1' } }, '10.0.0.1'],
    ['with nothing known the producing instance keeps the key non-empty', base, 'pod-7'],
  ];
  it.each(cases)('%s', (_sentence, data, key) => {
    expect(partitionKeyOf(data)).toBe(key);
    expect(decisionEvent({ ...origin, data }).subject).toBe(key);
  });

  it('the event subject is the key of the normalised data (a NUL never reaches a Kafka key)', () => {
    expect(decisionEvent({ ...origin, data: { ...base, claimedUsername: 'bob\u0000' } }).subject).toBe('bob\ufffd');
  });
});

describe('controlEvent', () => {
  const cases: ReadonlyArray<readonly [string, ControlEvent, string, string]> = [
    [
      'a policy version is keyed "policy" so versions stay in order',
      controlEvent({ ...origin, type: POLICY_APPLIED_EVENT_TYPE, data: { version: 4, document: 'throttle: {}\n', appliedBy: 'admin' } }),
      'policy',
      'urn:authtrail:schema:authtrail.control.policy.applied.v1',
    ],
    [
      'a revocation is keyed by its revocation id',
      controlEvent({ ...origin, type: CREDENTIAL_REVOKED_EVENT_TYPE, data: { revocationId: 'r-9', fingerprint: SAMPLE_FINGERPRINT, revokedBy: 'admin' } }),
      'revocation:r-9',
      'urn:authtrail:schema:authtrail.control.credential.revoked.v1',
    ],
    [
      'the lift of a revocation shares its key, so it never overtakes it',
      controlEvent({ ...origin, type: REVOCATION_LIFTED_EVENT_TYPE, data: { revocationId: 'r-9', liftedBy: 'admin' } }),
      'revocation:r-9',
      'urn:authtrail:schema:authtrail.control.revocation.lifted.v1',
    ],
    [
      'a producer status is keyed by its instance, so the reports about its boots stay in order',
      controlEvent({ ...origin, type: PRODUCER_STATUS_EVENT_TYPE, data: { instance: 'pod-7', boot: FIXED_ID, state: 'lost', lastSequence: 12, dropped: 0 } }),
      'producer:pod-7',
      'urn:authtrail:schema:authtrail.control.producer.status.v1',
    ],
  ];
  it.each(cases)('%s', (_sentence, event, subject, dataschema) => {
    expect(event).toMatchObject({ specversion: '1.0', id: FIXED_ID, source: SOURCE, time: '2026-11-29T10:15:30.123Z', datacontenttype: 'application/json', subject, dataschema });
    expect(validateEvent(event)).toEqual({ ok: true });
  });
});

describe('eventSource', () => {
  it.each([
    ['a plain instance name is used as is', 'authn', 'pod-7', '/authtrail/authn/pod-7'],
    ['characters that are not URI-safe are percent-encoded', 'authn', 'host 1/a', '/authtrail/authn/host%201%2Fa'],
  ])('%s', (_sentence, service, instance, source) => {
    expect(eventSource(service, instance)).toBe(source);
  });
});

describe('createSequence', () => {
  it('counts 1, 2, 3 per producer and reports the last number', () => {
    const sequence = createSequence();
    expect(sequence.current()).toBe(0);
    expect([sequence.next(), sequence.next(), sequence.next()]).toEqual([1, 2, 3]);
    expect(sequence.current()).toBe(3);
  });

  it('two producers count independently', () => {
    const a = createSequence();
    const b = createSequence();
    a.next();
    a.next();
    expect(b.next()).toBe(1);
  });
});

describe('event time', () => {
  it('is the RFC 3339 text of each event’s own instant, within one millisecond and across (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4102444800000 }), { minLength: 1, maxLength: 20 }), fc.boolean(), (millis, control) => {
        // Repeats of an instant back to back, as a busy producer stamps them.
        for (const ms of millis.flatMap((m) => [m, m, m + 1, m])) {
          const time = new Date(ms);
          const event = control ? controlEvent({ ...origin, time, type: PRODUCER_STATUS_EVENT_TYPE, data: { instance: 'a', boot: FIXED_ID, state: 'running', lastSequence: 0, dropped: 0 } }) : decisionEvent({ ...origin, time, data: ALLOWED_DECISION });
          expect(event.time).toBe(new Date(ms).toISOString());
        }
      }),
    );
  });

  it('an invalid date is refused as before', () => {
    expect(() => decisionEvent({ ...origin, time: new Date(Number.NaN), data: ALLOWED_DECISION })).toThrow(RangeError);
  });
});
