import type { DecisionQueryFilter, DecisionView } from '@authtrail/read-model';
import { matchesDecision } from './decision-matcher';

const row: DecisionView = {
  id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  time: new Date('2026-11-28T10:00:00Z'),
  decision: 'deny',
  httpStatus: 401,
  reason: 'unknown_token',
  message: null,
  strategy: 'static-token',
  username: 'system:serviceaccount:ns:app',
  usernameClaimed: false,
  uid: null,
  groups: [],
  sourceIp: '10.244.3.4',
  forwardedFor: [],
  userAgent: null,
  endpoint: 'forward-auth',
  method: null,
  path: null,
  tls: null,
  credentialFingerprint: 'hmac-sha256:k:aa',
  credentialType: 'static-token',
  credentialPublicId: null,
  attempts: [],
  policyVersion: null,
  policyEffects: [],
  latencyMicros: null,
  instance: null,
  claimedUsernameHash: 'hmac-sha256-username:k:bb',
  boot: null,
  sequence: null,
  normalizedFields: [],
  caller: { certificate: { subject: 'O=kube-master, CN=kube-apiserver', issuer: 'CN=cluster CA', serial: '5E2F01', sha256: 'cd'.repeat(32), verified: true } },
  chain: null,
};

describe('matchesDecision (the live feed twin of decisionConditions)', () => {
  it.each<[string, DecisionQueryFilter, boolean]>([
    ['an empty filter matches', {}, true],
    ['the same outcome matches', { decision: 'deny' }, true],
    ['another outcome does not', { decision: 'allow' }, false],
    ['a reason in the list matches', { reasons: ['bad_signature', 'unknown_token'] }, true],
    ['a reason not in the list does not', { reasons: ['bad_signature'] }, false],
    ['a username prefix matches', { usernamePrefix: 'system:serviceaccount:' }, true],
    ['an exact username must be exact', { username: 'system:serviceaccount:ns' }, false],
    ['an address inside the CIDR matches', { sourceIp: { kind: 'cidr', network: '10.244.0.0/16' } }, true],
    ['an address outside the CIDR does not', { sourceIp: { kind: 'cidr', network: '10.245.0.0/16' } }, false],
    ['an IPv6 network never matches an IPv4 address', { sourceIp: { kind: 'cidr', network: '::/0' } }, false],
    ['the exact address matches', { sourceIp: { kind: 'exact', address: '10.244.3.4' } }, true],
    ['from is inclusive', { from: new Date('2026-11-28T10:00:00Z') }, true],
    ['to is exclusive', { to: new Date('2026-11-28T10:00:00Z') }, false],
    ['credential type list', { credentialTypes: ['oidc'] }, false],
    ['endpoint', { endpoint: 'forward-auth' }, true],
    ['one of the claimed-username hashes matches', { claimedUsernameHashes: ['hmac-sha256-username:old:cc', 'hmac-sha256-username:k:bb'] }, true],
    ['no claimed-username hash matches', { claimedUsernameHashes: ['hmac-sha256-username:k:cc'] }, false],
    ['the caller certificate subject matches exactly', { callerSubject: 'O=kube-master, CN=kube-apiserver' }, true],
    ['another caller subject does not', { callerSubject: 'CN=kube-apiserver' }, false],
    ['all conditions AND together', { decision: 'deny', strategies: ['oidc'] }, false],
  ])('%s', (_name, filter, expected) => {
    expect(matchesDecision(filter, row)).toBe(expected);
  });

  it('a decision without a caller certificate never matches a caller subject', () => {
    expect(matchesDecision({ callerSubject: 'O=kube-master, CN=kube-apiserver' }, { ...row, caller: { proxies: ['10.0.0.1'] } })).toBe(false);
    expect(matchesDecision({ callerSubject: 'O=kube-master, CN=kube-apiserver' }, { ...row, caller: null })).toBe(false);
  });
});
