// Decision and control events as authn and graphql-api publish them (built with the
// libs/events builders, so they pass decodeEvent), and a kafkajs producer to put them on a topic.
import { controlEvent, decisionEvent, eventSource, newEventId, toBusRecord, type AuthtrailEvent, type DecisionData, type ReasonCode } from '@authtrail/events';
import type { Kafka } from 'kafkajs';

const STRATEGIES = ['static-token', 'bootstrap-token', 'basic-auth', 'x509', 'service-account', 'oidc', 'anonymous'] as const;
const DENY_REASONS: readonly ReasonCode[] = ['unknown_token', 'bootstrap_token_expired', 'invalid_password', 'cert_expired', 'service_account_unknown', 'audience_mismatch', 'no_credentials'];

const hex = (n: number): string => (n % 256).toString(16).padStart(2, '0').repeat(32);

/** The n-th decision of a stream: strategies in turn, every third one denied. */
export function decisionAt(n: number, overrides: Partial<DecisionData> = {}): AuthtrailEvent {
  const index = n % STRATEGIES.length;
  const strategy = STRATEGIES[index] ?? 'static-token';
  const allowed = n % 3 !== 0;
  const data: DecisionData = {
    decision: allowed ? 'allow' : 'deny',
    httpStatus: allowed ? 200 : 401,
    reason: allowed ? 'ok' : (DENY_REASONS[index] ?? 'unknown_token'),
    strategy,
    attempts: [{ strategy, outcome: allowed ? 'authenticated' : 'rejected', ...(allowed ? {} : { reason: DENY_REASONS[index] ?? 'unknown_token' }) }],
    ...(allowed ? { user: { username: `user-${n % 5}`, uid: `uid-${n % 5}`, groups: ['dev'], extra: {} } } : { claimedUsernameHash: `hmac-sha256-username:k1:${hex(n)}` }),
    credential: { type: strategy === 'anonymous' ? 'static-token' : strategy, fingerprint: `hmac-sha256:k1:${hex(n + 7)}` },
    request: { endpoint: 'authenticate', sourceIp: `10.0.${n % 250}.1`, userAgent: 'siem-test', method: 'POST', path: '/v1/authenticate', tls: true },
    instance: 'authn-test',
    sequence: n + 1,
    ...overrides,
  };
  const time = new Date(Date.UTC(2026, 10, 29, 0, 0, 0) + n);
  return decisionEvent({ id: newEventId(time.getTime()), time, source: eventSource('authn', 'authn-test'), data });
}

export function policyAppliedAt(n: number): AuthtrailEvent {
  const time = new Date(Date.UTC(2026, 10, 29, 1, 0, 0) + n);
  return controlEvent({ id: newEventId(time.getTime()), time, source: eventSource('graphql-api', 'api-0'), type: 'authtrail.control.policy.applied.v1', data: { version: n + 1, document: 'strategies: {}\n', appliedBy: 'admin' } });
}

/** A producer status event of authn-test (`running` is a heartbeat). */
export function producerStatusAt(n: number, state: 'running' | 'stopped' | 'lost'): AuthtrailEvent {
  const time = new Date(Date.UTC(2026, 10, 29, 2, 0, 0) + n);
  const boot = newEventId(Date.UTC(2026, 10, 29));
  return controlEvent({ id: newEventId(time.getTime()), time, source: eventSource('authn', 'authn-test'), type: 'authtrail.control.producer.status.v1', data: { instance: 'authn-test', boot, state, lastSequence: n, dropped: 0 } });
}

/** Publishes events with their CloudEvents headers, like the bus does, and waits for the acks. */
export async function publishEvents(kafka: Kafka, topic: string, events: readonly AuthtrailEvent[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((event) => {
        const record = toBusRecord(topic, event);
        return { key: record.key, value: record.value, headers: { ...record.headers } };
      }),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes (bounded loop). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
