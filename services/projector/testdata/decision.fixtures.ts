// Two sample decisions for the projector's unit specs. Fingerprints are made-up hex; no secrets.
import type { DecisionData } from '@authtrail/events';

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
  request: { endpoint: 'forward-auth', sourceIp: '2001:db8::1', method: 'GET', path: '/api', tls: false },
  instance: 'pod-7',
  sequence: 2,
};
