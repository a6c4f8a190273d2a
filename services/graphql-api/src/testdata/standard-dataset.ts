// The decisions most integration tests assert against; counts are listed so tests read as facts.
import { fakeFingerprint, type SeedDecision } from './read-model.seed';

export const T0 = new Date('2026-11-28T10:00:00.000Z');
/** "now" of the API under test: 2 h after T0. */
export const NOW = new Date('2026-11-28T12:00:00.000Z');

export const FP = {
  alice: fakeFingerprint('alice-password'),
  bob: fakeFingerprint('bob-token'),
  ci: fakeFingerprint('ci-sa-jwt'),
  leaked: fakeFingerprint('leaked-token'),
  guess: fakeFingerprint('guessed-token'),
  bootstrap: fakeFingerprint('bootstrap-token'),
} as const;

const SA = 'system:serviceaccount:kube-system:ci';

function spec(): Omit<SeedDecision, 'time'>[] {
  const alice = { strategy: 'basic-auth', username: 'alice', groups: ['dev'], credentialType: 'basic-auth', credentialFingerprint: FP.alice } as const;
  return [
    ...Array.from({ length: 5 }, () => ({ ...alice, decision: 'allow' as const, reason: 'ok', sourceIp: '10.0.0.1' })),
    ...Array.from({ length: 2 }, () => ({ ...alice, decision: 'deny' as const, reason: 'invalid_password', claimed: true, sourceIp: '10.0.0.9' })),
    ...Array.from({ length: 3 }, () => ({
      decision: 'allow' as const, reason: 'ok', strategy: 'static-token', username: 'bob', groups: ['ops'], sourceIp: '10.0.1.5',
      credentialType: 'static-token', credentialFingerprint: FP.bob,
    })),
    ...['10.244.1.2', '10.244.1.2', '10.244.2.3', '10.244.2.3'].map((ip) => ({
      decision: 'allow' as const, reason: 'ok', strategy: 'service-account', username: SA, groups: ['system:serviceaccounts'], sourceIp: ip,
      credentialType: 'service-account', credentialFingerprint: FP.ci,
    })),
    ...Array.from({ length: 6 }, () => ({
      decision: 'deny' as const, reason: 'unknown_token', strategy: 'static-token', username: null, sourceIp: '192.168.1.50',
      credentialType: 'static-token', credentialFingerprint: FP.leaked,
    })),
    ...Array.from({ length: 3 }, () => ({
      decision: 'deny' as const, reason: 'unknown_token', strategy: 'static-token', username: null, sourceIp: '192.168.1.51',
      credentialType: 'static-token', credentialFingerprint: FP.guess,
    })),
    { decision: 'deny', reason: 'bootstrap_token_expired', strategy: 'bootstrap-token', username: 'system:bootstrap:abcdef', claimed: true, sourceIp: '10.0.0.1', credentialType: 'bootstrap-token', credentialFingerprint: FP.bootstrap },
    { decision: 'deny', reason: 'no_credentials', strategy: null, username: null, sourceIp: '2001:db8::1', credentialType: null, credentialFingerprint: null },
  ];
}

/** 25 decisions, one per minute from T0 (12 allow, 13 deny). */
export function standardDecisions(): readonly SeedDecision[] {
  return spec().map((d, i) => ({ ...d, time: new Date(T0.getTime() + i * 60_000), sequence: i + 1 }));
}

export const COUNTS = {
  total: 25,
  allow: 12,
  deny: 13,
  alice: 7,
  staticToken: 12,
  from192_168_1: 9,
  leaked: 6,
} as const;
