import { DEFAULT_SIEM_MAP_OPTIONS } from './siem-options';
import { toEcs } from './siem.mapper';
import { controlEvents, decisionEvent, everyDecision, producerStatusEvents, SAMPLE_BOOT } from './testdata/decision-events.fixture';

const FP1 = `hmac-sha256:k1:${'01'.repeat(32)}`;
const FP3 = `hmac-sha256:k1:${'03'.repeat(32)}`;
const CLAIMED3 = `hmac-sha256-username:k1:${'5d'.repeat(32)}`;

describe('ECS mapper', () => {
  it('an allowed static-token decision maps field by field', () => {
    const event = decisionEvent('static-token', 'allow', { sequence: 7 }, 'evt-allow-1');
    expect(toEcs(event, DEFAULT_SIEM_MAP_OPTIONS)).toStrictEqual({
      '@timestamp': '2026-11-29T00:30:00.123Z',
      message: 'Authentication succeeded',
      ecs: { version: '8.17.0' },
      event: {
        kind: 'event',
        category: ['authentication'],
        type: ['start'],
        outcome: 'success',
        reason: 'ok',
        id: 'evt-allow-1',
        action: 'authentication-allow',
        module: 'authtrail',
        dataset: 'authtrail.decision',
        severity: 2,
        duration: 420_000,
        provider: 'static-token',
      },
      observer: { vendor: 'authtrail', product: 'authtrail', version: '0.1.0', type: 'authentication' },
      service: { name: 'authtrail-authn', node: { name: 'authn-0' } },
      user: { name: 'alice', id: 'u-1001', roles: ['dev', 'system:authenticated'] },
      source: { ip: '10.0.0.7', address: '10.0.0.7' },
      user_agent: { original: 'curl/8.5.0' },
      http: { request: { method: 'GET' }, response: { status_code: 200 } },
      url: { path: '/api/things' },
      tls: { established: true },
      related: { user: ['alice'], ip: ['10.0.0.7', '203.0.113.9'], hash: [FP1] },
      Authtrail: {
        decision: 'allow',
        reason: 'ok',
        strategy: 'static-token',
        authProtocol: 'Bearer Token',
        endpoint: 'forward-auth',
        httpStatus: 200,
        attempts: [{ strategy: 'static-token', outcome: 'authenticated' }],
        credential: { type: 'static-token', fingerprint: FP1 },
        policy: { version: 3, effects: [{ rule: 'strategies.static-token.mode', effect: 'warn', message: 'static tokens never expire' }] },
        instance: 'authn-0',
        sequence: 7,
      },
    });
  });

  it('a denied basic-auth decision maps field by field, with the claimed name and its hash', () => {
    const event = decisionEvent('basic-auth', 'deny', { sequence: 8 }, 'evt-deny-1');
    expect(toEcs(event, DEFAULT_SIEM_MAP_OPTIONS)).toStrictEqual({
      '@timestamp': '2026-11-29T00:30:00.123Z',
      message: 'rejected: invalid_password',
      ecs: { version: '8.17.0' },
      event: {
        kind: 'event',
        category: ['authentication'],
        type: ['info'],
        outcome: 'failure',
        reason: 'invalid_password',
        id: 'evt-deny-1',
        action: 'authentication-deny',
        module: 'authtrail',
        dataset: 'authtrail.decision',
        severity: 3,
        duration: 420_000,
        provider: 'basic-auth',
      },
      observer: { vendor: 'authtrail', product: 'authtrail', version: '0.1.0', type: 'authentication' },
      service: { name: 'authtrail-authn', node: { name: 'authn-0' } },
      user: { name: 'bob', hash: CLAIMED3 },
      source: { ip: '10.0.0.7', address: '10.0.0.7' },
      user_agent: { original: 'curl/8.5.0' },
      http: { request: { method: 'GET' }, response: { status_code: 401 } },
      url: { path: '/api/things' },
      tls: { established: false },
      related: { user: ['bob'], ip: ['10.0.0.7', '203.0.113.9'], hash: [FP3, CLAIMED3] },
      Authtrail: {
        decision: 'deny',
        reason: 'invalid_password',
        strategy: 'basic-auth',
        authProtocol: 'Basic Authentication',
        endpoint: 'forward-auth',
        httpStatus: 401,
        attempts: [{ strategy: 'basic-auth', outcome: 'rejected', reason: 'invalid_password' }],
        claimedUsernameHash: CLAIMED3,
        credential: { type: 'basic-auth', fingerprint: FP3 },
        policy: { version: 3, effects: [] },
        instance: 'authn-0',
        sequence: 8,
      },
    });
  });

  it('a client certificate adds its SHA-256 to tls.client.hash and related.hash', () => {
    const document = toEcs(decisionEvent('x509', 'allow'), DEFAULT_SIEM_MAP_OPTIONS);
    expect(document.tls).toEqual({ established: true, client: { hash: { sha256: '04'.repeat(32) } } });
    expect(document.related?.hash).toEqual([`hmac-sha256:k1:${'04'.repeat(32)}`, '04'.repeat(32)]);
  });

  it.each(everyDecision().map((e) => [`${e.data.decision} by ${e.data.strategy ?? 'no strategy'}`, e] as const))(
    'every %s decision has the ECS authentication event fields and the event id',
    (_name, event) => {
      const document = toEcs(event, DEFAULT_SIEM_MAP_OPTIONS);
      const allowed = event.data.decision === 'allow';
      expect(document.event).toMatchObject({ kind: 'event', category: ['authentication'], type: [allowed ? 'start' : 'info'], outcome: allowed ? 'success' : 'failure', id: event.id });
      expect(document['@timestamp']).toBe(event.time);
      expect(Object.keys(document).filter((k) => /^[A-Z]/.test(k))).toEqual(['Authtrail']);
    },
  );

  it('dropping usernames and source addresses removes them from user, related and Authtrail but keeps the hashes', () => {
    const event = decisionEvent('basic-auth', 'deny');
    const document = toEcs(event, { ...DEFAULT_SIEM_MAP_OPTIONS, drop: ['username', 'sourceIp'] });
    const json = JSON.stringify(document);
    expect(json).not.toContain('bob');
    expect(json).not.toContain('10.0.0.7');
    expect(document.user).toEqual({ hash: CLAIMED3 });
    expect(document.source).toBeUndefined();
    expect(document.related).toEqual({ hash: [FP3, CLAIMED3] });
  });

  it('a policy applied control event is an ECS configuration change with the actor', () => {
    const policy = controlEvents()[0];
    if (!policy) throw new Error('fixture');
    expect(toEcs(policy, DEFAULT_SIEM_MAP_OPTIONS)).toStrictEqual({
      '@timestamp': '2026-11-29T00:31:00.000Z',
      message: 'Policy version 4 applied',
      ecs: { version: '8.17.0' },
      event: { kind: 'event', category: ['configuration'], type: ['change'], id: policy.id, action: 'policy-applied', module: 'authtrail', dataset: 'authtrail.control', severity: 1 },
      observer: { vendor: 'authtrail', product: 'authtrail', version: '0.1.0', type: 'authentication' },
      user: { name: 'root' },
      related: { user: ['root'] },
      Authtrail: { type: 'authtrail.control.policy.applied.v1', version: 4, comment: 'tighten', documentBytes: 15 },
    });
  });

  it('a credential revocation is an ECS iam deletion carrying the fingerprint', () => {
    const revoked = controlEvents()[1];
    if (!revoked) throw new Error('fixture');
    const document = toEcs(revoked, DEFAULT_SIEM_MAP_OPTIONS);
    expect(document.event).toMatchObject({ category: ['iam'], type: ['deletion'], action: 'credential-revoked' });
    expect(document.Authtrail).toMatchObject({ revocationId: 'r-1', fingerprint: FP1, reason: 'leaked' });
  });

  it('a denial carries the claimed-name hash as user.hash, and boot, dropped and normalized under Authtrail', () => {
    const normalized = [{ field: 'request.userAgent', action: 'replaced' }] as const;
    const event = decisionEvent('static-token', 'deny', { boot: SAMPLE_BOOT, dropped: 2, normalized });
    const document = toEcs(event, DEFAULT_SIEM_MAP_OPTIONS);
    expect(document.user).toEqual({ hash: event.data.claimedUsernameHash });
    expect(document.Authtrail).toMatchObject({ boot: SAMPLE_BOOT, sequence: event.data.sequence, dropped: 2, normalized });
  });

  it.each([
    ['running', 'info', 1],
    ['stopped', 'end', 1],
    ['lost', 'end', 3],
  ] as const)('a producer %s status is an ECS process %s event of severity %d with the boot and its last sequence', (state, type, severity) => {
    const event = producerStatusEvents().find((e) => (e.data as { state: string }).state === state);
    if (!event) throw new Error('fixture');
    const document = toEcs(event, DEFAULT_SIEM_MAP_OPTIONS);
    expect(document.event).toMatchObject({ category: ['process'], type: [type], action: 'producer-status', severity });
    expect(document.Authtrail).toEqual({ type: 'authtrail.control.producer.status.v1', ...event.data });
    expect(document.message).toContain(`boot ${SAMPLE_BOOT}`);
    expect(document.user).toBeUndefined();
  });
});
