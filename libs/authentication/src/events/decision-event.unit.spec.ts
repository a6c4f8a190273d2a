import { decodeEvent } from '@authtrail/events';
import { toDecisionEvent, type DecisionEventContext, type DecisionRequestFacts, type DecisionResult } from './decision-event';

const context: DecisionEventContext = {
  now: new Date('2026-01-02T03:04:05.678Z'),
  id: '0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  instance: 'authn-0',
  sequence: 41,
  latencyMicros: 1234.6,
  fingerprint: (s) => `hmac-sha256:k1:${Buffer.from(s).toString('hex').padEnd(64, '0').slice(0, 64)}`,
  usernameHash: (u) => `hmac-sha256-username:k1:${u.length.toString(16).padStart(64, '0')}`,
};
const request: DecisionRequestFacts = { endpoint: 'forward-auth', sourceIp: '203.0.113.9', forwardedFor: ['203.0.113.9'], userAgent: 'curl/8', method: 'GET', path: '/x', tls: true };

describe('toDecisionEvent', () => {
  const cases: ReadonlyArray<{ name: string; result: DecisionResult; expected: Record<string, unknown>; absent?: string[]; present?: string[] }> = [
    {
      name: 'an allow carries the user, the strategy, the attempts and the credential fingerprint, never the secret',
      result: {
        decision: 'allow', httpStatus: 200, reason: 'ok', strategy: 'static-token',
        attempts: [{ strategy: 'static-token', outcome: 'authenticated', reason: 'ok' }],
        user: { username: 'alice', uid: 'u1', groups: ['g'], extra: { k: ['v'] } },
        credential: { type: 'static-token', secretForFingerprint: 'TOPSECRET', publicId: 'u1', expiresAt: new Date('2027-01-01T00:00:00Z') },
      },
      expected: {
        decision: 'allow', httpStatus: 200, reason: 'ok', strategy: 'static-token', user: { username: 'alice', uid: 'u1', groups: ['g'], extra: { k: ['v'] } },
        credential: { type: 'static-token', fingerprint: context.fingerprint('TOPSECRET'), publicId: 'u1', expiresAt: '2027-01-01T00:00:00.000Z' },
      },
      absent: ['TOPSECRET', 'claimedUsernameHash'],
    },
    {
      name: 'a failure of a known account keeps the claimed name in clear and its hash',
      result: { decision: 'deny', httpStatus: 401, reason: 'invalid_password', message: 'wrong password', strategy: 'basic-auth', attempts: [{ strategy: 'basic-auth', outcome: 'rejected', reason: 'invalid_password' }], claimedUsername: 'bob', credential: { type: 'basic-auth', secretForFingerprint: 'bob:pw' } },
      expected: { decision: 'deny', httpStatus: 401, reason: 'invalid_password', message: 'wrong password', claimedUsername: 'bob', claimedUsernameHash: context.usernameHash('bob') },
      absent: ['bob:pw'],
    },
    {
      name: 'a failure with a typed name that matches no account keeps only its hash',
      result: { decision: 'deny', httpStatus: 401, reason: 'invalid_password', message: 'wrong password', strategy: 'basic-auth', attempts: [{ strategy: 'basic-auth', outcome: 'rejected', reason: 'invalid_password' }], typedUsername: 'hunter2-typed', credential: { type: 'basic-auth' } },
      expected: { decision: 'deny', claimedUsernameHash: context.usernameHash('hunter2-typed') },
      absent: ['hunter2-typed', 'claimedUsername"'],
    },
    {
      name: 'an allow never carries a claimed name or a hash, even when the result has one',
      result: { decision: 'allow', httpStatus: 200, reason: 'ok', attempts: [], user: { username: 'alice', groups: [], extra: {} }, claimedUsername: 'alice', typedUsername: 'x' },
      expected: { decision: 'allow' },
      absent: ['claimedUsername', '"x"'],
    },
    {
      name: 'a refused malformed request has no attempts, no strategy and no credential',
      result: { decision: 'deny', httpStatus: 413, reason: 'bad_request', message: 'request body too large', attempts: [] },
      expected: { decision: 'deny', httpStatus: 413, reason: 'bad_request', attempts: [] },
      absent: ['"strategy"', '"credential"', '"user"'],
    },
    {
      name: 'policy effects and version are recorded',
      result: { decision: 'deny', httpStatus: 403, reason: 'policy_denied', attempts: [], policy: { version: 7, effects: [{ rule: 'x509.denyGroups', effect: 'deny', message: 'system:masters via certificate' }] } },
      expected: { policy: { version: 7, effects: [{ rule: 'x509.denyGroups', effect: 'deny', message: 'system:masters via certificate' }] } },
    },
    {
      name: 'a basic-auth allow records how the matched password is stored (policy flags plaintext)',
      result: {
        decision: 'allow', httpStatus: 200, reason: 'ok', strategy: 'basic-auth', attempts: [{ strategy: 'basic-auth', outcome: 'authenticated', reason: 'ok' }], user: { username: 'pat', groups: [], extra: {} },
        credential: { type: 'basic-auth', secretForFingerprint: 'pat:pw', passwordStorage: 'plaintext' },
      },
      expected: { credential: { type: 'basic-auth', fingerprint: context.fingerprint('pat:pw'), passwordStorage: 'plaintext' } },
      absent: ['pat:pw'],
    },
    {
      name: 'an extra named __proto__ stays a key of user.extra',
      result: { decision: 'allow', httpStatus: 200, reason: 'ok', attempts: [], user: { username: 'oidc-user', groups: [], extra: JSON.parse('{"__proto__":["p"],"team":["t"]}') as Record<string, string[]> } },
      expected: {},
      present: ['"extra":{"__proto__":["p"],"team":["t"]}'],
    },
    {
      name: 'x509 credentials carry their certificate facts with RFC 3339 dates',
      result: {
        decision: 'allow', httpStatus: 200, reason: 'ok', strategy: 'x509', attempts: [], user: { username: 'jane', groups: [], extra: {} },
        credential: { type: 'x509', x509: { serial: '01', subject: 'CN=jane', issuer: 'CN=ca', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-02-01T00:00:00Z'), sha256: 'ab'.repeat(32) } },
      },
      expected: { credential: { type: 'x509', x509: { serial: '01', subject: 'CN=jane', issuer: 'CN=ca', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2026-02-01T00:00:00.000Z', sha256: 'ab'.repeat(32) } } },
    },
  ];

  it.each(cases)('$name', ({ result, expected, absent, present }) => {
    const event = toDecisionEvent(result, request, context);
    expect(event).toMatchObject({ specversion: '1.0', id: context.id, type: 'authtrail.authn.decision.v1', time: '2026-01-02T03:04:05.678Z', source: '/authtrail/authn/authn-0' });
    expect(event.data).toMatchObject({ ...expected, request, instance: 'authn-0', sequence: 41, latencyMicros: 1235 });
    const text = JSON.stringify(event);
    for (const s of absent ?? []) expect(text).not.toContain(s);
    for (const s of present ?? []) expect(text).toContain(s);
    // The events library's own decoder (JSON Schemas) accepts what we produce.
    expect(decodeEvent(text)).toMatchObject({ ok: true });
  });

  it('a cache entry’s user, credential and attempts give the same sections to each decision it answers, frozen; other objects their own', () => {
    const user = { username: 'alice', uid: 'u1', groups: ['g'], extra: { k: ['v'] } };
    const credential = { type: 'static-token' as const, fingerprint: 'hmac-sha256:k1:' + 'a'.repeat(64), expiresAt: new Date('2027-01-01T00:00:00Z') };
    const result: DecisionResult = { decision: 'allow', httpStatus: 200, reason: 'ok', strategy: 'static-token', attempts: [{ strategy: 'static-token', outcome: 'authenticated' }], user, credential, cached: true };
    const first = toDecisionEvent(result, request, context).data;
    const again = toDecisionEvent(result, request, { ...context, sequence: 42 }).data;
    expect(again.user).toBe(first.user);
    expect(again.credential).toBe(first.credential);
    expect(again.attempts).toBe(first.attempts);
    expect(Object.isFrozen(first.user) && Object.isFrozen(first.user?.extra) && Object.isFrozen(first.credential)).toBe(true);
    expect(first.credential).toEqual({ type: 'static-token', fingerprint: credential.fingerprint, expiresAt: '2027-01-01T00:00:00.000Z' });
    const other = toDecisionEvent({ ...result, user: { ...user, groups: ['h'] }, credential: { ...credential, fingerprint: 'hmac-sha256:k1:' + 'b'.repeat(64) } }, request, context).data;
    expect(other.user?.groups).toEqual(['h']);
    expect(other.credential?.fingerprint).toBe('hmac-sha256:k1:' + 'b'.repeat(64));
  });

  it('a decision not answered by a cache entry gets sections of its own, as the event is built', () => {
    const user = { username: 'alice', groups: ['g'], extra: {} };
    const result: DecisionResult = { decision: 'allow', httpStatus: 200, reason: 'ok', attempts: [], user };
    const first = toDecisionEvent(result, request, context).data;
    expect(toDecisionEvent(result, request, context).data.user).not.toBe(first.user);
    expect(Object.isFrozen(first.user)).toBe(false);
  });

  it('the partition key is the username when known, else the fingerprint, else the source IP', () => {
    const allow = toDecisionEvent({ decision: 'allow', httpStatus: 200, reason: 'ok', attempts: [], user: { username: 'alice', groups: [], extra: {} } }, request, context);
    expect(allow.subject).toBe('alice');
    const anonymousFailure = toDecisionEvent({ decision: 'deny', httpStatus: 401, reason: 'unknown_token', attempts: [], credential: { type: 'static-token', secretForFingerprint: 'x' } }, request, context);
    expect(anonymousFailure.subject).toBe(context.fingerprint('x'));
    const bare = toDecisionEvent({ decision: 'deny', httpStatus: 401, reason: 'no_credentials', attempts: [] }, request, context);
    expect(bare.subject).toBe('203.0.113.9');
  });

  it('the boot and the drop count go on the event; a drop count of 0 is left out', () => {
    const boot = '0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a00';
    const result: DecisionResult = { decision: 'deny', httpStatus: 401, reason: 'no_credentials', attempts: [] };
    expect(toDecisionEvent(result, request, { ...context, boot, dropped: 3 }).data).toMatchObject({ boot, sequence: 41, dropped: 3 });
    expect('dropped' in toDecisionEvent(result, request, { ...context, boot, dropped: 0 }).data).toBe(false);
  });

  it('the webhook caller goes on the request: its certificate facts and its proxies; the user stays the credential’s', () => {
    const certificate = { subject: 'O=kube-master, CN=kube-apiserver', issuer: 'CN=cluster CA', serial: '5E2F01', sha256: 'cd'.repeat(32), verified: true };
    const result: DecisionResult = { decision: 'allow', httpStatus: 200, reason: 'ok', strategy: 'static-token', attempts: [], user: { username: 'alice', groups: [], extra: {} } };
    const event = toDecisionEvent(result, { endpoint: 'tokenreview', sourceIp: '198.51.100.4', caller: { certificate, proxies: ['10.0.0.7', '10.0.0.1'] } }, context);
    expect(event.data.request).toEqual({ endpoint: 'tokenreview', sourceIp: '198.51.100.4', caller: { certificate, proxies: ['10.0.0.7', '10.0.0.1'] } });
    expect(event.data.user?.username).toBe('alice');
    expect(decodeEvent(JSON.stringify(event))).toMatchObject({ ok: true });
  });

  it('caller proxies that are not plain addresses are left out, and a caller left empty is no caller', () => {
    const result: DecisionResult = { decision: 'deny', httpStatus: 401, reason: 'no_credentials', attempts: [] };
    expect(toDecisionEvent(result, { endpoint: 'tokenreview', caller: { proxies: ['fe80::1%eth0', '10.0.0.1', 'proxy.example'] } }, context).data.request.caller).toEqual({ proxies: ['10.0.0.1'] });
    expect('caller' in toDecisionEvent(result, { endpoint: 'tokenreview', caller: { proxies: ['fe80::1%eth0'] } }, context).data.request).toBe(false);
  });

  it('request strings are normalised by the events library, not cut here: a 16 KiB user agent keeps 512 code points and is marked', () => {
    const event = toDecisionEvent({ decision: 'deny', httpStatus: 401, reason: 'no_credentials', attempts: [] }, { ...request, userAgent: `\u0000${'a'.repeat(16 * 1024)}` }, context);
    expect(event.data.request.userAgent).toBe(`\ufffd${'a'.repeat(511)}`);
    expect(event.data.normalized).toEqual([{ field: 'request.userAgent', action: 'replaced' }, { field: 'request.userAgent', action: 'truncated' }]);
  });
});
