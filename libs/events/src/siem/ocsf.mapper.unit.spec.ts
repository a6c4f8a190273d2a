import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { REASON_CODES, type DecisionEvent } from '../decision.event';
import { toOcsfAuthentication } from './ocsf-authentication.mapper';
import { toOcsfControl } from './ocsf-control.mapper';
import { DEFAULT_SIEM_MAP_OPTIONS } from './siem-options';
import { controlEvents, decisionEvent, everyDecision, producerStatusEvents, SAMPLE_BOOT, STRATEGY_IDS, type StrategyId } from './testdata/decision-events.fixture';
import { OCSF_SCHEMA_DIR, validateOcsf } from './testdata/ocsf-schema.validator';
import { OCSF_VERSION } from './ocsf.types';

const map = (event: DecisionEvent) => toOcsfAuthentication(event, DEFAULT_SIEM_MAP_OPTIONS);

describe('OCSF Authentication mapper', () => {
  it.each(everyDecision().map((e) => [`${e.data.decision} by ${e.data.strategy ?? 'no strategy'} (${e.data.reason})`, e] as const))(
    'a %s decision validates against the OCSF 1.8.0 Authentication class',
    (_name, event) => {
      const document = map(event);
      expect(validateOcsf(JSON.parse(JSON.stringify(document)), 'authentication').errors).toEqual([]);
      expect(document.type_uid).toBe(document.class_uid * 100 + document.activity_id);
      expect(document.metadata.uid).toBe(event.id);
    },
  );

  it.each(controlEvents().map((e) => [e.type, e] as const))('control event %s validates as an OCSF Base Event', (_type, event) => {
    const document = toOcsfControl(event, DEFAULT_SIEM_MAP_OPTIONS);
    expect(validateOcsf(JSON.parse(JSON.stringify(document)), 'base_event').errors).toEqual([]);
    expect(document.metadata.uid).toBe(event.id);
  });

  it('a lost producer boot is a Medium severity Base Event naming the boot and its last sequence; heartbeats are Informational', () => {
    const [running, , lost] = producerStatusEvents().map((e) => toOcsfControl(e, DEFAULT_SIEM_MAP_OPTIONS));
    expect(lost).toMatchObject({ activity_name: 'Producer Lost', severity_id: 3, severity: 'Medium', metadata: { event_code: 'producer-status' } });
    expect(lost?.unmapped?.['authtrail']).toEqual({ type: 'authtrail.control.producer.status.v1', instance: 'authn-0', boot: SAMPLE_BOOT, state: 'lost', lastSequence: 43, dropped: 2 });
    expect(running).toMatchObject({ activity_name: 'Producer Running', severity_id: 1 });
  });

  it('boot, dropped and normalized of a decision are kept under unmapped.authtrail, and it still validates', () => {
    const normalized = [{ field: 'request.path', action: 'truncated' }] as const;
    const document = map(decisionEvent('basic-auth', 'deny', { boot: SAMPLE_BOOT, dropped: 5, normalized }));
    expect(document.unmapped?.['authtrail']).toMatchObject({ boot: SAMPLE_BOOT, dropped: 5, normalized });
    expect(validateOcsf(JSON.parse(JSON.stringify(document)), 'authentication').errors).toEqual([]);
  });

  const protocols: readonly [StrategyId, number, string][] = [
    ['static-token', 99, 'Bearer Token'],
    ['bootstrap-token', 99, 'Kubernetes Bootstrap Token'],
    ['basic-auth', 11, 'Basic Authentication'],
    ['x509', 99, 'X.509 Client Certificate'],
    ['service-account', 99, 'Kubernetes Service Account JWT'],
    ['oidc', 4, 'OpenID'],
    ['anonymous', 99, 'Anonymous'],
  ];
  it.each(protocols)('strategy %s maps to auth_protocol_id %d (%s)', (strategy, id, name) => {
    const document = map(decisionEvent(strategy, 'allow'));
    expect([document.auth_protocol_id, document.auth_protocol]).toEqual([id, name]);
  });

  it('an allowed decision is a successful Logon with the user, groups and credential fingerprint', () => {
    const event = decisionEvent('static-token', 'allow');
    const document = map(event);
    expect(document).toMatchObject({
      class_uid: 3002,
      category_uid: 3,
      activity_id: 1,
      type_uid: 300201,
      status_id: 1,
      status: 'Success',
      status_detail: 'ok',
      status_code: '200',
      time: Date.parse('2026-11-29T00:30:00.123Z'),
      user: { name: 'alice', uid: 'u-1001', type_id: 1, groups: [{ name: 'dev' }, { name: 'system:authenticated' }], credential_uid: event.data.credential?.fingerprint },
      src_endpoint: { ip: '10.0.0.7', intermediate_ips: ['203.0.113.9'] },
      http_request: { http_method: 'GET', url: { path: '/api/things' }, user_agent: 'curl/8.5.0', x_forwarded_for: ['203.0.113.9'] },
      metadata: { version: '1.8.0', product: { name: 'authtrail', vendor_name: 'authtrail' }, uid: event.id, correlation_uid: event.id },
    });
  });

  it('a policy warning raises an allowed decision to severity Low', () => {
    expect(map(decisionEvent('static-token', 'allow')).severity_id).toBe(2);
    expect(map(decisionEvent('oidc', 'allow')).severity_id).toBe(1);
  });

  it('a denial is a failed Logon with the reason as status_detail and the claimed name when known', () => {
    const document = map(decisionEvent('basic-auth', 'deny'));
    expect(document).toMatchObject({ status_id: 2, status: 'Failure', status_detail: 'invalid_password', status_code: '401', severity_id: 3, user: { name: 'bob' } });
  });

  it('an unknown service account is a High severity denial', () => {
    expect(map(decisionEvent('service-account', 'deny')).severity_id).toBe(4);
  });

  it('a denial without any name uses the hash of the claimed name as user uid', () => {
    const document = map(decisionEvent('static-token', 'deny'));
    expect(document.user.name).toBeUndefined();
    expect(document.user.uid).toMatch(/^hmac-sha256-username:k1:/);
  });

  it('a request without credentials has an Unknown protocol and an unknown user', () => {
    const document = map(decisionEvent('anonymous', 'deny'));
    expect(document).toMatchObject({ auth_protocol_id: 0, auth_protocol: 'Unknown', user: { name: 'unknown', type_id: 0 } });
    expect(document.user.credential_uid).toBeUndefined();
  });

  it('a credential sent without TLS is flagged is_cleartext, and booleans are absent unless true', () => {
    expect(map(decisionEvent('basic-auth', 'allow')).is_cleartext).toBe(true);
    const overTls = map(decisionEvent('oidc', 'allow'));
    expect('is_cleartext' in overTls).toBe(false);
    expect('is_mfa' in overTls).toBe(false);
  });

  it('a client certificate becomes the OCSF certificate object with its SHA-256 fingerprint', () => {
    const document = map(decisionEvent('x509', 'allow'));
    expect(document.certificate).toEqual({
      issuer: 'CN=authtrail test CA',
      serial_number: '1a2b3c',
      subject: 'CN=carol,O=admins',
      created_time: Date.parse('2026-01-01T00:00:00.000Z'),
      expiration_time: Date.parse('2027-01-01T00:00:00.000Z'),
      fingerprints: [{ algorithm_id: 3, algorithm: 'SHA-256', value: '04'.repeat(32) }],
    });
  });

  it('service accounts are typed Service users and keep their extras under unmapped', () => {
    const document = map(decisionEvent('service-account', 'allow'));
    expect(document.user.type_id).toBe(4);
    expect(document.unmapped?.['authtrail']).toMatchObject({ extra: { 'authentication.kubernetes.io/pod-name': ['builder-0'] }, strategy: 'service-account' });
  });

  it('dropping usernames removes every name but keeps fingerprints and hashes, and still validates', () => {
    for (const event of everyDecision()) {
      const document = toOcsfAuthentication(event, { ...DEFAULT_SIEM_MAP_OPTIONS, drop: ['username', 'sourceIp', 'extra'] });
      const json = JSON.stringify(document);
      for (const name of ['alice', 'bob', 'carol', 'dave@example.com', 'builder', '10.0.0.7', '203.0.113.9']) expect(json).not.toContain(name);
      if (event.data.credential?.fingerprint) expect(json).toContain(event.data.credential.fingerprint);
      expect(validateOcsf(JSON.parse(json), 'authentication').errors).toEqual([]);
    }
  });

  it('any combination of reason, strategy, decision and optional request fields validates', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STRATEGY_IDS),
        fc.constantFrom('allow' as const, 'deny' as const),
        fc.constantFrom(...REASON_CODES),
        fc.record({ sourceIp: fc.option(fc.ipV4(), { nil: undefined }), method: fc.option(fc.constantFrom('GET', 'POST'), { nil: undefined }), path: fc.option(fc.webPath(), { nil: undefined }), userAgent: fc.option(fc.string(), { nil: undefined }) }),
        fc.subarray(['username', 'uid', 'groups', 'extra', 'sourceIp', 'userAgent', 'path', 'message'] as const),
        (strategy, decision, reason, request, drop) => {
          const base = decisionEvent(strategy, decision);
          const event = decisionEvent(strategy, decision, { reason, request: { endpoint: 'authenticate', forwardedFor: [], ...request } }, base.id);
          const document = toOcsfAuthentication(event, { ...DEFAULT_SIEM_MAP_OPTIONS, drop });
          expect(validateOcsf(JSON.parse(JSON.stringify(document)), 'authentication').errors).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('offline OCSF validator', () => {
  it('reads the OCSF subset vendored in the repository, of the version the mappers write, with its licence', () => {
    const repositoryRoot = join(__dirname, '../../../..');
    expect(relative(repositoryRoot, OCSF_SCHEMA_DIR)).toBe(join('libs', 'events', 'src', 'siem', 'testdata', 'ocsf'));
    expect(JSON.parse(readFileSync(join(OCSF_SCHEMA_DIR, 'version.json'), 'utf8'))).toEqual({ version: OCSF_VERSION });
    expect(readFileSync(join(OCSF_SCHEMA_DIR, 'LICENSE'), 'utf8')).toContain('Apache License');
    expect(existsSync(join(OCSF_SCHEMA_DIR, 'README.md'))).toBe(true);
  });

  const valid = (): Record<string, unknown> => JSON.parse(JSON.stringify(map(decisionEvent('oidc', 'allow'))));
  const cases: readonly [string, (d: Record<string, unknown>) => void, RegExp][] = [
    ['a missing user is reported as a missing required attribute', (d) => delete d['user'], /^user: required/],
    ['a missing metadata.product is reported with its path', (d) => delete (d['metadata'] as Record<string, unknown>)['product'], /^metadata\.product: required/],
    ['a status_id outside the enum is reported', (d) => (d['status_id'] = 7), /^status_id: 7 is not one of/],
    ['an activity_id outside the Authentication enum is reported', (d) => { d['activity_id'] = 42; d['type_uid'] = 300242; }, /^activity_id: 42/],
    ['a type_uid that is not class_uid * 100 + activity_id is reported', (d) => (d['type_uid'] = 300202), /^type_uid: expected 300201/],
    ['a string time is reported as the wrong type', (d) => (d['time'] = '2026-11-29'), /^time: .* is not a timestamp_t/],
    ['an invalid ip is reported against the ip_t pattern', (d) => (d['src_endpoint'] = { ip: 'not-an-ip' }), /^src_endpoint\.ip: .* ip_t pattern/],
    ['an attribute the class does not define is reported', (d) => (d['decision'] = 'allow'), /^decision: not an attribute/],
    ['a status caption that disagrees with status_id is reported', (d) => (d['status'] = 'Failure'), /^status: expected caption "Success"/],
    ['a user with neither name nor uid breaks the at_least_one constraint', (d) => (d['user'] = { type_id: 1 }), /needs at least one of account, name, uid/],
    ['missing both service and dst_endpoint breaks the class constraint', (d) => delete d['service'], /needs at least one of service, dst_endpoint/],
    ['the wrong class_uid is reported', (d) => { d['class_uid'] = 3001; d['type_uid'] = 300101; }, /^class_uid: expected 3002/],
  ];
  it('accepts the mapper output unchanged', () => {
    expect(validateOcsf(valid(), 'authentication').errors).toEqual([]);
  });
  it.each(cases)('%s', (_name, mutate, expected) => {
    const document = valid();
    mutate(document);
    const errors = validateOcsf(document, 'authentication').errors;
    expect(errors.some((e) => expected.test(e))).toBe(true);
  });
});
