// Deterministic synthetic event streams for the projector's tests and benchmark: a seeded PRNG,
// pools of users, credentials and addresses, allowed and denied decisions from a few producer
// instances, policy and revocation control events. Fingerprints are made-up hex; no secrets.
import { createHash } from 'node:crypto';
import {
  controlEvent,
  CREDENTIAL_REVOKED_EVENT_TYPE,
  decisionEvent,
  eventSource,
  POLICY_APPLIED_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  type AuthtrailEvent,
  type DecisionData,
  type DecisionEvent,
  type ReasonCode,
} from '@authtrail/events';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUIDv7-shaped id from the time and the PRNG: unique per stream, reproducible per seed. */
function uuidV7(ms: number, random: () => number): string {
  const hex = ms.toString(16).padStart(12, '0');
  const r = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${r(3)}-${(8 + Math.floor(random() * 4)).toString(16)}${r(3)}-${r(12)}`;
}

export const fingerprintOf = (n: number): string => `hmac-sha256:test:${createHash('sha256').update(`credential-${n}`).digest('hex')}`;
/** A made-up keyed username hash (the shape authn writes). */
export const usernameHashOf = (n: number): string => `hmac-sha256-username:test:${createHash('sha256').update(`username-${n}`).digest('hex')}`;

export interface GeneratorOptions {
  readonly seed?: number;
  readonly start?: Date;
  readonly users?: number;
  readonly credentials?: number;
  readonly addresses?: number;
  readonly instances?: number;
  /** Share of sequence numbers skipped (a lost event, for gap detection). */
  readonly gapRate?: number;
}

const DENY_REASONS: readonly ReasonCode[] = ['unknown_token', 'invalid_password', 'token_expired', 'bad_signature', 'cert_untrusted', 'policy_denied', 'credential_revoked'];
const STRATEGIES = ['static-token', 'basic-auth', 'x509', 'service-account', 'oidc', 'bootstrap-token'];

function usernameOf(n: number): string {
  if (n % 10 === 0) return `system:serviceaccount:ns${n % 7}:sa-${n}`;
  if (n % 23 === 0) return `system:bootstrap:abc${String(n).padStart(3, '0')}`;
  if (n === 1) return 'system:anonymous';
  return `user-${n}@example.com`;
}

/**
 * `count` decision events in time order, plus control events: policy and revocations every ~500
 * decisions, a `lost` status for every producer boot ended half way, a last `running` heartbeat.
 */
export function generateEvents(count: number, options: GeneratorOptions = {}): AuthtrailEvent[] {
  const random = mulberry32(options.seed ?? 42);
  const pick = (n: number): number => Math.floor(random() * n);
  const users = options.users ?? 300;
  const credentials = options.credentials ?? 800;
  const addresses = options.addresses ?? 400;
  const instances = options.instances ?? 3;
  const gapRate = options.gapRate ?? 0.001;
  const sequences = new Array<number>(instances).fill(0);
  let ms = (options.start ?? new Date('2026-11-01T00:00:00.000Z')).getTime();
  // Every instance restarts once, half way: a new boot whose sequence starts again at 1.
  const boots = Array.from({ length: instances }, () => uuidV7(ms, random));
  const events: AuthtrailEvent[] = [];
  let policyVersion = 0;
  let revocations = 0;

  for (let i = 0; i < count; i += 1) {
    ms += pick(40);
    if (i === Math.floor(count / 2)) {
      for (let n = 0; n < instances; n += 1) {
        // The crashed boot had handed out two more numbers that never reached Kafka; the next
        // boot reports it lost, from the ledger the old one left.
        const lost = { instance: `authn-${n}`, boot: boots[n], state: 'lost' as const, lastSequence: sequences[n] + 2, dropped: 0 };
        events.push(controlEvent({ id: uuidV7(ms, random), time: new Date(ms), source: eventSource('authn', `authn-${n}`), type: PRODUCER_STATUS_EVENT_TYPE, data: lost }));
        boots[n] = uuidV7(ms, random);
        sequences[n] = 0;
      }
    }
    if (i % 500 === 0) {
      const time = new Date(ms);
      policyVersion += 1;
      events.push(controlEvent({ id: uuidV7(ms, random), time, source: eventSource('graphql-api', 'g1'), type: POLICY_APPLIED_EVENT_TYPE, data: { version: policyVersion, document: `strategies: {}\n# v${policyVersion}\n`, appliedBy: 'admin' } }));
      revocations += 1;
      events.push(controlEvent({ id: uuidV7(ms, random), time, source: eventSource('graphql-api', 'g1'), type: CREDENTIAL_REVOKED_EVENT_TYPE, data: { revocationId: `rev-${revocations}`, fingerprint: fingerprintOf(pick(credentials)), reason: 'leaked', revokedBy: 'admin' } }));
      if (revocations % 3 === 0) {
        events.push(controlEvent({ id: uuidV7(ms, random), time, source: eventSource('graphql-api', 'g1'), type: REVOCATION_LIFTED_EVENT_TYPE, data: { revocationId: `rev-${revocations - 1}`, liftedBy: 'admin' } }));
      }
    }
    const instance = pick(instances);
    sequences[instance] += random() < gapRate ? 2 : 1;
    const allowed = random() < 0.7;
    // A credential belongs to one user and is mostly used from its own few addresses.
    const credN = pick(credentials);
    const userN = random() < 0.9 ? credN % users : pick(users);
    const addrN = random() < 0.9 ? (credN * 7 + pick(3)) % addresses : pick(addresses);
    const sourceIp = addrN % 9 === 0 ? `2001:db8::1:${addrN.toString(16)}` : `10.${(addrN >> 8) & 255}.${addrN & 255}.${1 + (addrN % 200)}`;
    const strategy = STRATEGIES[credN % STRATEGIES.length];
    const reason: ReasonCode = allowed ? 'ok' : DENY_REASONS[pick(DENY_REASONS.length)];
    const hasUser = allowed || reason === 'policy_denied' || reason === 'credential_revoked';
    // A failed claim always carries the name's hash; the name itself only when it is a known account.
    const claimed = { claimedUsernameHash: usernameHashOf(userN), ...(random() < 0.5 ? { claimedUsername: usernameOf(userN) } : {}) };
    const data: DecisionData = {
      decision: allowed ? 'allow' : 'deny',
      httpStatus: allowed ? 200 : reason === 'policy_denied' ? 403 : 401,
      reason,
      strategy,
      attempts: [{ strategy, outcome: allowed ? 'authenticated' : 'rejected', ...(allowed ? {} : { reason }) }],
      ...(hasUser ? { user: { username: usernameOf(userN), uid: `uid-${userN}`, groups: ['system:authenticated', `team-${userN % 5}`], extra: {} } } : claimed),
      ...(random() < 0.95 ? { credential: { type: strategy, fingerprint: fingerprintOf(credN), publicId: `p${credN}` } } : {}),
      request: { endpoint: 'authenticate', ...(random() < 0.98 ? { sourceIp } : {}), userAgent: 'bench/1.0', method: 'GET', path: '/api', tls: true },
      policy: { version: Math.max(1, policyVersion), effects: [] },
      latencyMicros: 100 + pick(900),
      instance: `authn-${instance}`,
      boot: boots[instance],
      sequence: sequences[instance],
    };
    events.push(decisionEvent({ id: uuidV7(ms, random), time: new Date(ms), source: eventSource('authn', `authn-${instance}`), data }));
  }
  // A last heartbeat of every boot still running.
  for (let n = 0; n < instances && count > 0; n += 1) {
    const running = { instance: `authn-${n}`, boot: boots[n], state: 'running' as const, lastSequence: sequences[n], dropped: 0 };
    events.push(controlEvent({ id: uuidV7(ms, random), time: new Date(ms), source: eventSource('authn', `authn-${n}`), type: PRODUCER_STATUS_EVENT_TYPE, data: running }));
  }
  return events;
}

export function isDecision(event: AuthtrailEvent): event is DecisionEvent {
  return event.type === 'authtrail.authn.decision.v1';
}
