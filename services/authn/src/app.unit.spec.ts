import type { InjectOptions } from 'fastify';
import { PublishError } from '@authtrail/event-bus';
import { ALICE_TOKEN, usernameHash, fingerprint, logCapture, recordingPublisher, testApp, testChain } from './app.fixture';
import { createLogger } from './observability/logger';
import type { PolicyHook } from '@authtrail/authentication';

const tokenReview = (token: string, version = 'v1', audiences?: string[]) => ({
  method: 'POST' as const,
  url: `/apis/authentication.k8s.io/${version}/tokenreviews`,
  payload: { apiVersion: `authentication.k8s.io/${version}`, kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } },
});

describe('TokenReview', () => {
  it('a known token is authenticated with user, groups, extra and audiences, in the request apiVersion', async () => {
    const { app, publisher } = testApp();
    for (const version of ['v1', 'v1beta1']) {
      const res = await app.inject(tokenReview(ALICE_TOKEN, version, ['api']));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        apiVersion: `authentication.k8s.io/${version}`,
        kind: 'TokenReview',
        metadata: { creationTimestamp: null },
        status: { authenticated: true, user: { username: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'], extra: { 'example.com/team': ['a/b'] } }, audiences: ['api'] },
      });
      expect(res.headers['x-authtrail-decision-id']).toBe(publisher.events().at(-1)?.id);
    }
    expect(publisher.records).toHaveLength(2);
  });

  it('an unknown token is HTTP 200 with authenticated false and no status.error (a definitive no), and one deny event with the reason', async () => {
    const { app, publisher } = testApp();
    const res = await app.inject(tokenReview('nope-token'));
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toEqual({ authenticated: false });
    const [event] = publisher.events();
    expect(event?.data).toMatchObject({ decision: 'deny', httpStatus: 401, reason: 'unknown_token', message: 'token not recognised', strategy: 'static-token', credential: { type: 'static-token', fingerprint: fingerprint('nope-token') } });
    expect(event?.data.attempts).toEqual([{ strategy: 'static-token', outcome: 'rejected', reason: 'unknown_token' }, { strategy: 'basic-auth', outcome: 'abstained' }, { strategy: 'x509', outcome: 'abstained' }]);
    expect(publisher.records[0]?.value.toString()).not.toContain('nope-token');
  });

  const bad: ReadonlyArray<[string, InjectOptions, number]> = [
    ['malformed JSON is a 400', { method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', headers: { 'content-type': 'application/json' }, payload: '{"spec": {"token": "tok-sekret' }, 400],
    ['a wrong content type is a 415', { method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', headers: { 'content-type': 'application/xml' }, payload: '<x/>' }, 415],
    ['an oversized body is a 413', { method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ spec: { token: 'x'.repeat(70_000) } }) }, 413],
    ['a body without spec is a 400', { method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', payload: { kind: 'TokenReview' } }, 400],
    ['a token that is not a string is a 400', { method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', payload: { spec: { token: 42 } } }, 400],
    ['a body of an unknown version is a 400', { method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', payload: { apiVersion: 'authentication.k8s.io/v2', spec: { token: 'a' } } }, 400],
    ['an empty JSON body is a 400', { method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', headers: { 'content-type': 'application/json' }, payload: '' }, 400],
  ];
  it.each(bad)('%s, with a JSON error, a decision id and exactly one bad_request event', async (_name, request, status) => {
    const { app, publisher } = testApp();
    const res = await app.inject(request);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ reason: 'bad_request', decisionId: res.headers['x-authtrail-decision-id'] });
    expect(publisher.events()).toHaveLength(1);
    expect(publisher.events()[0]?.data).toMatchObject({ decision: 'deny', httpStatus: status, reason: 'bad_request', attempts: [], request: { endpoint: 'tokenreview' } });
    // Not hex, so a decision id can never contain it by chance.
    expect(res.body).not.toContain('sekret');
  });
});

describe('SelfSubjectReview', () => {
  it('the caller with a valid token gets 201 and its userInfo', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'POST', url: '/apis/authentication.k8s.io/v1/selfsubjectreviews', headers: { authorization: `Bearer ${ALICE_TOKEN}` }, payload: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    expect(res.statusCode).toBe(201);
    expect(res.json().status.userInfo).toMatchObject({ username: 'alice', uid: 'u-1' });
  });

  it('a caller without credentials gets a kube Status 401 with WWW-Authenticate', async () => {
    const { app, publisher } = testApp();
    const res = await app.inject({ method: 'POST', url: '/apis/authentication.k8s.io/v1/selfsubjectreviews' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    expect(res.headers['www-authenticate']).toEqual(['Bearer realm="authtrail"', 'Basic realm="authtrail", charset="UTF-8"']);
    expect(publisher.events()[0]?.data).toMatchObject({ reason: 'no_credentials', request: { endpoint: 'selfsubjectreview' } });
  });
});

describe('/v1/authenticate', () => {
  it('valid headers give 200 with user, strategy and decisionId', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'POST', url: '/v1/authenticate', payload: { headers: { Authorization: `Bearer ${ALICE_TOKEN}` }, path: '/x', method: 'get' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ authenticated: true, user: { username: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'], extra: { 'example.com/team': ['a/b'] } }, strategy: 'static-token', decisionId: res.headers['x-authtrail-decision-id'] });
  });

  it('a wrong password of a known account gives 401 with reason; the event names the account and its hash, never the password', async () => {
    const { app, publisher } = testApp();
    const basic = Buffer.from('bob:hunter2').toString('base64');
    const res = await app.inject({ method: 'POST', url: '/v1/authenticate', payload: { headers: { authorization: `Basic ${basic}` } } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ authenticated: false, reason: 'invalid_password', message: 'wrong password', decisionId: res.headers['x-authtrail-decision-id'] });
    const raw = publisher.records[0]?.value.toString() ?? '';
    expect(raw).not.toContain('hunter2');
    expect(raw).not.toContain(basic);
    expect(publisher.events()[0]?.data).toMatchObject({ claimedUsername: 'bob', claimedUsernameHash: usernameHash('bob') });
  });

  it('an unknown user name is kept only as its hash: not in the event, its key or its subject', async () => {
    const { app, publisher } = testApp();
    const typed = 'Tr0ub4dor-typed-as-user';
    await app.inject({ method: 'POST', url: '/v1/authenticate', payload: { headers: { authorization: `Basic ${Buffer.from(`${typed}:x`).toString('base64')}` } } });
    const record = publisher.records[0];
    expect(`${record?.key} ${record?.value.toString()}`).not.toContain(typed);
    expect(publisher.events()[0]?.data.claimedUsernameHash).toBe(usernameHash(typed));
    expect(publisher.events()[0]?.data.claimedUsername).toBeUndefined();
  });

  it('sourceIp and clientCertificate from an untrusted caller are ignored; from a trusted one they are used', async () => {
    const { app, publisher } = testApp();
    await app.inject({ method: 'POST', url: '/v1/authenticate', remoteAddress: '192.0.2.7', payload: { headers: {}, sourceIp: '10.9.9.9' } });
    await app.inject({ method: 'POST', url: '/v1/authenticate', remoteAddress: '10.0.0.2', payload: { headers: {}, sourceIp: '198.51.100.4' } });
    expect(publisher.events().map((e) => e.data.request.sourceIp)).toEqual(['192.0.2.7', '198.51.100.4']);
  });

  it('a garbage clientCertificate from a trusted caller is a 401 malformed_credentials, not a 500', async () => {
    const { app, publisher } = testApp();
    const res = await app.inject({ method: 'POST', url: '/v1/authenticate', remoteAddress: '10.0.0.2', payload: { headers: {}, clientCertificate: '-----BEGIN CERTIFICATE-----\nZZZ\n-----END CERTIFICATE-----' } });
    expect(res.statusCode).toBe(401);
    expect(publisher.events()[0]?.data).toMatchObject({ reason: 'malformed_credentials', attempts: [] });
  });

  it('unknown body keys are a 400', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'POST', url: '/v1/authenticate', payload: { headers: {}, password: 'x' } });
    expect(res.statusCode).toBe(400);
  });
});

describe('/v1/forward-auth', () => {
  it('success sets X-Remote-User, X-Remote-Uid, one X-Remote-Group per group and escaped X-Remote-Extra-*', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'GET', url: '/v1/forward-auth', headers: { authorization: `Bearer ${ALICE_TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-remote-user']).toBe('alice');
    expect(res.headers['x-remote-uid']).toBe('u-1');
    expect(res.headers['x-remote-group']).toEqual(['dev', 'system:authenticated']);
    expect(res.headers['x-remote-extra-example.com%2fteam']).toEqual(['a/b']);
  });

  it('failure is a 401 with WWW-Authenticate Bearer and Basic', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'POST', url: '/v1/forward-auth', headers: { authorization: 'Bearer wrong', 'content-type': 'text/weird' }, payload: 'body' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toEqual(['Bearer realm="authtrail"', 'Basic realm="authtrail", charset="UTF-8"']);
  });

  it('forwarded method, URI, address and proto are used from a trusted proxy and ignored from anyone else', async () => {
    const { app, publisher } = testApp();
    const forwarded = { 'x-forwarded-for': '203.0.113.9, 10.0.0.3', 'x-forwarded-method': 'DELETE', 'x-forwarded-uri': '/admin?token=secret', 'x-forwarded-proto': 'https' };
    await app.inject({ method: 'GET', url: '/v1/forward-auth', remoteAddress: '10.0.0.2', headers: forwarded });
    await app.inject({ method: 'GET', url: '/v1/forward-auth', remoteAddress: '198.51.100.1', headers: forwarded });
    const [trusted, untrusted] = publisher.events().map((e) => e.data.request);
    expect(trusted).toMatchObject({ sourceIp: '203.0.113.9', forwardedFor: ['203.0.113.9', '10.0.0.3'], method: 'DELETE', path: '/admin', tls: true });
    expect(untrusted).toMatchObject({ sourceIp: '198.51.100.1', method: 'GET', path: '/v1/forward-auth', tls: false });
    expect(untrusted?.forwardedFor).toBeUndefined();
    expect(JSON.stringify(publisher.events())).not.toContain('token=secret');
  });

  it('Envoy ext_authz path-prefix requests carry the original path', async () => {
    const { app, publisher } = testApp();
    await app.inject({ method: 'PUT', url: '/v1/forward-auth/api/things/1' });
    expect(publisher.events()[0]?.data.request).toMatchObject({ method: 'PUT', path: '/api/things/1' });
  });

  it('a garbage forwarded certificate from a trusted proxy is a 401 malformed_credentials', async () => {
    const { app, publisher } = testApp();
    const res = await app.inject({ method: 'GET', url: '/v1/forward-auth', remoteAddress: '10.0.0.2', headers: { 'ssl-client-cert': '%ZZ' } });
    expect(res.statusCode).toBe(401);
    expect(publisher.events()[0]?.data.reason).toBe('malformed_credentials');
  });

  it('anonymous, when the chain allows it, is a 200 as system:anonymous', async () => {
    const { app } = testApp({ chain: testChain({ anonymous: true }) });
    const res = await app.inject({ method: 'GET', url: '/v1/forward-auth' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-remote-user']).toBe('system:anonymous');
  });
});

describe('policy hook', () => {
  it('may turn an allow into a 429 with Retry-After, and its effects go into the event', async () => {
    const policy: PolicyHook = { evaluate: () => ({ version: 3, effects: [{ rule: 'throttle', effect: 'deny', message: 'too many failures' }], deny: { reason: 'throttled', message: 'slow down', httpStatus: 429, retryAfterSeconds: 30 } }) };
    const { app, publisher } = testApp({ policy });
    const res = await app.inject({ method: 'GET', url: '/v1/forward-auth', headers: { authorization: `Bearer ${ALICE_TOKEN}` } });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('30');
    expect(publisher.events()[0]?.data).toMatchObject({ decision: 'deny', httpStatus: 429, reason: 'throttled', user: { username: 'alice' }, policy: { version: 3, effects: [{ rule: 'throttle' }] } });
  });

  it('readyz is 503 until the hook is ready', async () => {
    let ready = false;
    const { app } = testApp({ policy: { evaluate: () => ({ effects: [] }), ready: () => ready } });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    ready = true;
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });
});

describe('events mode', () => {
  it('strict: a publish failure is a 503 with the decision id', async () => {
    const { app } = testApp({ publisher: recordingPublisher({ fail: true }), eventsMode: 'strict' });
    const res = await app.inject(tokenReview(ALICE_TOKEN));
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ reason: 'upstream_unavailable', decisionId: res.headers['x-authtrail-decision-id'] });
  });

  it('each event carries the decision events this boot dropped before it (publisher buffer and spool full), with one boot id and sequences from 1', async () => {
    const recorded = recordingPublisher();
    let refusals = 2;
    // The bus answers { dropped: true } when memory and spool are both full.
    const dropping = { ...recorded, publish: async (record: Parameters<typeof recorded.publish>[0]) => (refusals-- > 0 ? { dropped: true } : recorded.publish(record)) };
    const { app } = testApp({ publisher: dropping });
    for (let i = 0; i < 4; i += 1) await app.inject(tokenReview(ALICE_TOKEN));
    const events = recorded.events();
    expect(events.map((e) => [e.data.sequence, e.data.dropped])).toEqual([[3, 2], [4, 2]]);
    expect(new Set(events.map((e) => e.data.boot)).size).toBe(1);
    expect(events[0]?.data.boot).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('buffered: a publish failure still answers, and the lost event counts as dropped on the next one', async () => {
    const recorded = recordingPublisher();
    let failures = 1;
    const failing = { ...recorded, publish: async (record: Parameters<typeof recorded.publish>[0]) => (failures-- > 0 ? Promise.reject(new Error('publisher closed')) : recorded.publish(record)) };
    const { app } = testApp({ publisher: failing, eventsMode: 'buffered' });
    expect((await app.inject(tokenReview(ALICE_TOKEN))).statusCode).toBe(200);
    await app.inject(tokenReview(ALICE_TOKEN));
    expect(recorded.events().map((e) => [e.data.sequence, e.data.dropped])).toEqual([[2, 1]]);
  });

  it('strict: a refused publish (never handed to Kafka) is a 503 counted as dropped on the next event; an unknown delivery is not counted', async () => {
    const recorded = recordingPublisher();
    const refusals = [new PublishError('publish_timeout', 'not sent in time'), new PublishError('delivery_unknown', 'spool write failed at close')];
    const refusing = {
      ...recorded,
      publish: async (record: Parameters<typeof recorded.publish>[0]) => {
        const refusal = refusals.shift();
        return refusal ? Promise.reject(refusal) : recorded.publish(record);
      },
    };
    const { app } = testApp({ publisher: refusing, eventsMode: 'strict' });
    expect((await app.inject(tokenReview(ALICE_TOKEN))).statusCode).toBe(503);
    expect((await app.inject(tokenReview(ALICE_TOKEN))).statusCode).toBe(503);
    expect((await app.inject(tokenReview(ALICE_TOKEN))).statusCode).toBe(200);
    expect(recorded.events().map((e) => [e.data.sequence, e.data.dropped])).toEqual([[3, 1]]);
  });
});

describe('metrics', () => {
  it('count decisions and attempts by closed label sets, never by username', async () => {
    const { app } = testApp();
    await app.inject(tokenReview(ALICE_TOKEN));
    await app.inject(tokenReview('wrong'));
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('authtrail_authn_decisions_total{endpoint="tokenreview",decision="allow",reason="ok",strategy="static-token"} 1');
    expect(res.body).toContain('authtrail_authn_attempts_total{strategy="static-token",result="rejected",reason="unknown_token"} 1');
    expect(res.body).toContain('authtrail_authn_decision_duration_seconds_bucket');
    expect(res.body).toContain('authtrail_events_published_total 2');
    expect(res.body).toContain('authtrail_events_dropped_total 0');
    expect(res.body).not.toContain('alice');
  });
});

describe('logs', () => {
  it('at trace level, no secret sent in headers, bodies or query strings appears in the log output', async () => {
    const capture = logCapture();
    const { app } = testApp({ logger: createLogger('trace', capture.stream) });
    const basic = Buffer.from('carol:pa55word-xyz').toString('base64');
    await app.inject(tokenReview(ALICE_TOKEN));
    await app.inject({ method: 'GET', url: '/v1/forward-auth?access_token=query-secret-123', headers: { authorization: `Basic ${basic}`, cookie: 'session=cookie-secret-456', 'proxy-authorization': 'Bearer proxy-secret-789' } });
    await app.inject({ method: 'POST', url: '/v1/authenticate', payload: { headers: { authorization: 'Bearer body-secret-000' } } });
    await app.inject({ method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', headers: { 'content-type': 'application/json' }, payload: '{"spec":{"token":"json-secret-111' });
    app.log.trace({ headers: { authorization: 'Bearer direct-secret-222' }, password: 'pw-secret-333', nested: { token: 'tok-secret-444' } }, 'a careless log line');
    const text = capture.text();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [ALICE_TOKEN, basic, 'pa55word-xyz', 'query-secret-123', 'cookie-secret-456', 'proxy-secret-789', 'body-secret-000', 'json-secret-111', 'direct-secret-222', 'pw-secret-333', 'tok-secret-444']) {
      expect(text).not.toContain(secret);
    }
  });

  it.each([
    ['info', 0],
    ['debug', 2],
  ] as const)('at %s level, a request writes %i request lines (the decision event records each request)', async (level, lines) => {
    const capture = logCapture();
    const { app } = testApp({ logger: createLogger(level, capture.stream) });
    await app.inject(tokenReview(ALICE_TOKEN));
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.close();
    const messages = capture.text().split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.filter((msg) => msg === 'incoming request')).toHaveLength(lines);
    expect(messages.filter((msg) => msg === 'request completed')).toHaveLength(lines);
  });
});
