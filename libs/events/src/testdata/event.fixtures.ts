// Sample events for the specs of libs/events (and for the SIEM mappers' golden tests). No
// secrets: fingerprints are made-up hex, the way the fingerprinter would print them.
import type { DecisionData } from '../decision.event';

export const FIXED_TIME = new Date('2026-11-29T10:15:30.123Z');
export const FIXED_ID = '019acea0-1f3b-7abc-8def-0123456789ab';
export const SOURCE = '/authtrail/authn/pod-7';
export const SAMPLE_FINGERPRINT = `hmac-sha256:k2026:${'ab'.repeat(32)}`;

export const ALLOWED_DECISION: DecisionData = {
  decision: 'allow',
  httpStatus: 200,
  reason: 'ok',
  strategy: 'static-token',
  attempts: [{ strategy: 'static-token', outcome: 'authenticated' }],
  user: { username: 'alice', uid: '1001', groups: ['dev', 'system:authenticated'], extra: {} },
  credential: { type: 'static-token', fingerprint: SAMPLE_FINGERPRINT, publicId: '1001' },
  request: { endpoint: 'tokenreview', sourceIp: '10.0.0.7', userAgent: 'kube-apiserver/v1.34', tls: true },
  latencyMicros: 412,
  instance: 'pod-7',
  sequence: 1,
};

export const DENIED_DECISION: DecisionData = {
  decision: 'deny',
  httpStatus: 401,
  reason: 'invalid_password',
  message: 'invalid username or password',
  strategy: 'basic-auth',
  attempts: [
    { strategy: 'static-token', outcome: 'abstained' },
    { strategy: 'basic-auth', outcome: 'rejected', reason: 'invalid_password' },
  ],
  claimedUsername: 'bob',
  credential: { type: 'basic-auth', fingerprint: SAMPLE_FINGERPRINT },
  request: { endpoint: 'forward-auth', sourceIp: '2001:db8::1', forwardedFor: ['2001:db8::1', 'unknown'], method: 'GET', path: '/api', tls: false },
  policy: { version: 3, effects: [{ rule: 'basic-auth.requireTls', effect: 'warn', message: 'cleartext credentials' }] },
  instance: 'pod-7',
  sequence: 2,
};
