// Decision and control events for the SIEM mapper tests: one allow and one deny per strategy.
// Fingerprints are made-up hex, never derived from a real secret.
import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  DECISION_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  type ControlEvent,
  type DecisionData,
  type DecisionEvent,
  type ReasonCode,
} from '../../decision.event';

export const STRATEGY_IDS = ['static-token', 'bootstrap-token', 'basic-auth', 'x509', 'service-account', 'oidc', 'anonymous'] as const;
export type StrategyId = (typeof STRATEGY_IDS)[number];

const hex = (seed: number): string => seed.toString(16).padStart(2, '0').repeat(32);
export const fingerprintOf = (seed: number): string => `hmac-sha256:k1:${hex(seed)}`;

const USERS: Readonly<Record<StrategyId, { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> }>> = {
  'static-token': { username: 'alice', uid: 'u-1001', groups: ['dev', 'system:authenticated'] },
  'bootstrap-token': { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] },
  'basic-auth': { username: 'bob', uid: 'u-1002', groups: ['ops'] },
  x509: { username: 'carol', groups: ['admins'], extra: { 'authentication.kubernetes.io/credential-id': [`X509SHA256=${hex(4)}`] } },
  'service-account': {
    username: 'system:serviceaccount:default:builder',
    uid: '6f1c1f3e-0000-4000-8000-000000000001',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default'],
    extra: { 'authentication.kubernetes.io/pod-name': ['builder-0'] },
  },
  oidc: { username: 'dave@example.com', groups: ['oidc:devs'] },
  anonymous: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
};

const DENY_REASONS: Readonly<Record<StrategyId, ReasonCode>> = {
  'static-token': 'unknown_token',
  'bootstrap-token': 'bootstrap_token_expired',
  'basic-auth': 'invalid_password',
  x509: 'cert_expired',
  'service-account': 'service_account_unknown',
  oidc: 'audience_mismatch',
  anonymous: 'no_credentials',
};

function credentialFor(strategy: StrategyId, seed: number): DecisionData['credential'] {
  switch (strategy) {
    case 'anonymous':
      return undefined;
    case 'x509':
      return {
        type: 'x509',
        fingerprint: fingerprintOf(seed),
        publicId: '1a2b3c',
        x509: {
          serial: '1a2b3c',
          subject: 'CN=carol,O=admins',
          issuer: 'CN=authtrail test CA',
          notBefore: '2026-01-01T00:00:00.000Z',
          notAfter: '2027-01-01T00:00:00.000Z',
          sha256: hex(4),
        },
      };
    case 'service-account':
    case 'oidc':
      return {
        type: strategy,
        fingerprint: fingerprintOf(seed),
        publicId: `jti-${seed}`,
        issuer: strategy === 'oidc' ? 'https://issuer.example.com' : 'https://kubernetes.default.svc',
        subject: strategy === 'oidc' ? 'sub-123' : 'system:serviceaccount:default:builder',
        audiences: ['authtrail'],
        issuedAt: '2026-11-29T00:00:00.000Z',
        expiresAt: '2026-11-29T01:00:00.000Z',
      };
    case 'bootstrap-token':
      return { type: strategy, fingerprint: fingerprintOf(seed), publicId: 'abcdef', expiresAt: '2026-12-01T00:00:00.000Z' };
    default:
      return { type: strategy, fingerprint: fingerprintOf(seed) };
  }
}

let counter = 0;
/** A decision event; `overrides` replace top-level data members. */
export function decisionEvent(strategy: StrategyId, decision: 'allow' | 'deny', overrides: Partial<DecisionData> = {}, id?: string): DecisionEvent {
  counter += 1;
  const seed = STRATEGY_IDS.indexOf(strategy) + 1;
  const user = USERS[strategy];
  const allowed = decision === 'allow';
  const reason: ReasonCode = allowed ? 'ok' : DENY_REASONS[strategy];
  const noCredentials = !allowed && strategy === 'anonymous';
  const data: DecisionData = {
    decision,
    httpStatus: allowed ? 200 : 401,
    reason,
    message: allowed ? undefined : `rejected: ${reason}`,
    strategy: noCredentials ? undefined : strategy,
    attempts: noCredentials
      ? [{ strategy: 'static-token', outcome: 'abstained' }]
      : [{ strategy, outcome: allowed ? 'authenticated' : 'rejected', ...(allowed ? {} : { reason }) }],
    user: allowed ? { username: user.username, uid: user.uid, groups: user.groups, extra: user.extra ?? {} } : undefined,
    claimedUsername: !allowed && strategy === 'basic-auth' ? 'bob' : undefined,
    claimedUsernameHash: !allowed && strategy !== 'anonymous' ? `hmac-sha256-username:k1:${hex(90 + seed)}` : undefined,
    credential: noCredentials ? undefined : credentialFor(strategy, seed),
    request: {
      endpoint: 'forward-auth',
      sourceIp: '10.0.0.7',
      forwardedFor: ['203.0.113.9'],
      userAgent: 'curl/8.5.0',
      method: 'GET',
      path: '/api/things',
      tls: strategy !== 'basic-auth',
    },
    policy: { version: 3, effects: strategy === 'static-token' && allowed ? [{ rule: 'strategies.static-token.mode', effect: 'warn', message: 'static tokens never expire' }] : [] },
    latencyMicros: 420,
    instance: 'authn-0',
    sequence: counter,
    ...overrides,
  };
  return {
    specversion: '1.0',
    id: id ?? `0193a1b2-c3d4-7e5f-8a9b-${String(counter).padStart(12, '0')}`,
    source: '/authtrail/authn/authn-0',
    type: DECISION_EVENT_TYPE,
    time: '2026-11-29T00:30:00.123Z',
    datacontenttype: 'application/json',
    subject: data.user?.username ?? data.credential?.fingerprint ?? data.request.sourceIp,
    data,
  };
}

/** Every strategy, allowed and denied. */
export function everyDecision(): readonly DecisionEvent[] {
  return STRATEGY_IDS.flatMap((s) => [decisionEvent(s, 'allow'), decisionEvent(s, 'deny')]);
}

export function controlEvents(): readonly ControlEvent[] {
  const envelope = { specversion: '1.0' as const, source: '/authtrail/graphql-api/api-0', time: '2026-11-29T00:31:00.000Z', datacontenttype: 'application/json' as const };
  return [
    { ...envelope, id: '0193a1b2-c3d4-7e5f-8a9b-c00000000001', type: POLICY_APPLIED_EVENT_TYPE, data: { version: 4, document: 'strategies: {}\n', appliedBy: 'root', comment: 'tighten' } },
    { ...envelope, id: '0193a1b2-c3d4-7e5f-8a9b-c00000000002', type: CREDENTIAL_REVOKED_EVENT_TYPE, data: { revocationId: 'r-1', fingerprint: fingerprintOf(1), reason: 'leaked', revokedBy: 'root' } },
    { ...envelope, id: '0193a1b2-c3d4-7e5f-8a9b-c00000000003', type: REVOCATION_LIFTED_EVENT_TYPE, data: { revocationId: 'r-1', liftedBy: 'root' } },
    ...producerStatusEvents(),
  ];
}

export const SAMPLE_BOOT = '0193a1b2-0000-7000-8000-00000000b007';

/** One status event per state, of producer authn-0. */
export function producerStatusEvents(): readonly ControlEvent[] {
  const envelope = { specversion: '1.0' as const, source: '/authtrail/authn/authn-0', time: '2026-11-29T00:32:00.000Z', datacontenttype: 'application/json' as const };
  return (['running', 'stopped', 'lost'] as const).map((state, i) => ({
    ...envelope,
    id: `0193a1b2-c3d4-7e5f-8a9b-c0000000001${i}`,
    type: PRODUCER_STATUS_EVENT_TYPE,
    data: { instance: 'authn-0', boot: SAMPLE_BOOT, state, lastSequence: 41 + i, dropped: i },
  }));
}
