// The decision event of the benches' ceiling rows: built once, about the size of a real cached
// static-token decision, so "bare handler + one record" costs what the record costs.
import { createEventIdFactory, decisionEvent, eventSource } from '@authtrail/events';

export function sampleDecisionEvent(instance: string, tls: boolean) {
  const time = new Date();
  return decisionEvent({
    id: createEventIdFactory()(time),
    time,
    source: eventSource('authn', instance),
    data: {
      decision: 'allow',
      httpStatus: 200,
      reason: 'ok',
      strategy: 'static-token',
      attempts: [{ strategy: 'static-token', outcome: 'authenticated' }],
      user: { username: 'bench-user', uid: 'uid-1', groups: ['bench', 'devs', 'system:authenticated'], extra: {} },
      credential: { type: 'static-token', fingerprint: `hmac-sha256:bench:${'0'.repeat(64)}`, publicId: 'uid-1' },
      request: { endpoint: 'tokenreview', sourceIp: '127.0.0.1', userAgent: 'autocannon', method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', tls },
      latencyMicros: 40,
      instance,
      sequence: 1,
    },
  });
}
