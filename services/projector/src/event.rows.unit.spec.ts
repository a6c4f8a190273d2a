import fc from 'fast-check';
import { decisionEvent, eventSource, type DecisionData } from '@authtrail/events';
import { DENIED_DECISION } from '../testdata/decision.fixtures';
import { canonicalTime, toDecisionRow } from './event.rows';

const slowCanonicalTime = (time: string): string => new Date(Date.parse(time)).toISOString();

describe('canonicalTime', () => {
  it.each([
    ['a canonical UTC time is returned as is', '2026-11-29T03:04:05.678Z', '2026-11-29T03:04:05.678Z'],
    ['an offset is converted to UTC', '2026-11-29T04:04:05.678+01:00', '2026-11-29T03:04:05.678Z'],
    ['seconds without milliseconds gain .000', '2026-11-29T03:04:05Z', '2026-11-29T03:04:05.000Z'],
    ['microseconds are cut to milliseconds', '2026-11-29T03:04:05.678901Z', '2026-11-29T03:04:05.678Z'],
    ['a day past the end of the month rolls over like Date does', '2026-02-30T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
  ])('%s', (_name, input, expected) => {
    expect(canonicalTime(input)).toBe(expected);
  });

  it('the fast path answers exactly what parsing and formatting would (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString();
        expect(canonicalTime(iso)).toBe(slowCanonicalTime(iso));
      }),
    );
  });
});

describe('toDecisionRow', () => {
  const hash = `hmac-sha256-username:k1:${'ef'.repeat(32)}`;
  const boot = '019acea0-0000-7000-8000-000000000009';
  const event = (data: typeof DENIED_DECISION) =>
    decisionEvent({ id: '019acea0-1f3b-7abc-8def-000000000001', time: new Date('2026-11-29T10:15:30.123Z'), source: eventSource('authn', 'pod-7'), data });

  it.each<[string, DecisionData, Partial<ReturnType<typeof toDecisionRow>>]>([
    ['a clear claimed name is the username, marked claimed, with its hash', { ...DENIED_DECISION, claimedUsernameHash: hash }, { username: 'bob', claimed: true, claimedUsernameHash: hash }],
    ['a typed name stored only as a hash leaves the username empty', { ...DENIED_DECISION, claimedUsername: undefined, claimedUsernameHash: hash }, { username: null, claimed: false, claimedUsernameHash: hash }],
    ['the boot and sequence are columns', { ...DENIED_DECISION, boot, sequence: 4 }, { boot, sequence: 4, instance: 'pod-7' }],
    [
      'the caller certificate subject is a column of its own; the username stays the credential’s',
      { ...DENIED_DECISION, request: { endpoint: 'tokenreview', caller: { certificate: { subject: 'O=kube-master, CN=kube-apiserver', issuer: 'CN=ca', serial: '01', sha256: 'cd'.repeat(32), verified: true }, proxies: ['10.0.0.1'] } } },
      { callerSubject: 'O=kube-master, CN=kube-apiserver', username: 'bob', endpoint: 'tokenreview' },
    ],
    ['a caller known only by its proxies has no caller subject', { ...DENIED_DECISION, request: { endpoint: 'tokenreview', caller: { proxies: ['10.0.0.1'] } } }, { callerSubject: null }],
    ['no caller, no caller subject', DENIED_DECISION, { callerSubject: null }],
  ])('%s', (_name, data, expected) => {
    expect(toDecisionRow(event(data))).toMatchObject(expected);
  });

  it('the payload is the whole CloudEvent, not only its data', () => {
    const e = event(DENIED_DECISION);
    expect(toDecisionRow(e).payload).toBe(e);
  });
});
