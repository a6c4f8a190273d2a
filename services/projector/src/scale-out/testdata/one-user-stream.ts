// A stream in which every decision is about one user: a few credentials of theirs, presented
// from a sliding window of addresses (so credential/address pairs keep being new), allowed and
// denied, from two producer boots; plus revocations and lifts of those credentials. Built with
// the production event builders; fingerprints are made-up hex, no secrets.
import { createHash } from 'node:crypto';
import {
  controlEvent,
  CREDENTIAL_REVOKED_EVENT_TYPE,
  decisionEvent,
  eventSource,
  REVOCATION_LIFTED_EVENT_TYPE,
  type AuthtrailEvent,
  type DecisionEvent,
  type ReasonCode,
} from '@authtrail/events';

export const ONE_USER = 'alice@example.com';
const USER = { username: ONE_USER, uid: 'uid-alice', groups: ['system:authenticated', 'team-a'], extra: {} };

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUIDv7-shaped id: the time, then a counter (unique within the stream). */
const idOf = (ms: number, n: number): string => {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-${n.toString(16).padStart(12, '0')}`;
};

export const oneUserFingerprint = (n: number): string => `hmac-sha256:test:${createHash('sha256').update(`one-user-credential-${n}`).digest('hex')}`;

export interface OneUserStream {
  readonly decisions: readonly DecisionEvent[];
  /** Revocations and lifts of the user's credentials, in the order they are published. */
  readonly controls: readonly AuthtrailEvent[];
}

export function oneUserStream(count: number, seed = 5): OneUserStream {
  const random = seeded(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const credentials = 4;
  const boots = ['0190a000-0000-7000-8000-00000000b001', '0190a000-0000-7000-8000-00000000b002'];
  const sequences = [0, 0];
  const decisions: DecisionEvent[] = [];
  const controls: AuthtrailEvent[] = [];
  let ms = Date.parse('2026-11-20T08:00:00.000Z');
  let n = 0;
  for (let i = 0; i < count; i += 1) {
    ms += 1 + pick(20);
    // 64 addresses around a window that moves every 25 events: batches of different partitions
    // taken at the same time meet the same new (credential, address) pairs, in different orders.
    const address = Math.floor(i / 25) + pick(64);
    const sourceIp = `10.20.${(address >> 8) & 255}.${address & 255}`;
    const credential = pick(credentials);
    const allowed = random() < 0.7;
    const reason: ReasonCode = allowed ? 'ok' : random() < 0.5 ? 'policy_denied' : 'invalid_password';
    const producer = pick(2);
    sequences[producer] += 1;
    decisions.push(
      decisionEvent({
        id: idOf(ms, (n += 1)),
        time: new Date(ms),
        source: eventSource('authn', `authn-${producer}`),
        data: {
          decision: allowed ? 'allow' : 'deny',
          httpStatus: allowed ? 200 : reason === 'policy_denied' ? 403 : 401,
          reason,
          strategy: 'basic-auth',
          attempts: [{ strategy: 'basic-auth', outcome: reason === 'invalid_password' ? 'rejected' : 'authenticated', ...(allowed ? {} : { reason }) }],
          // A wrong password names the account it claimed; the others authenticated the user.
          ...(reason === 'invalid_password' ? { claimedUsername: ONE_USER } : { user: USER }),
          credential: { type: 'basic-auth', fingerprint: oneUserFingerprint(credential), publicId: `alice-${credential}` },
          request: { endpoint: 'authenticate', sourceIp, userAgent: 'scale-out/1.0', method: 'GET', path: '/api', tls: true },
          latencyMicros: 100 + pick(500),
          instance: `authn-${producer}`,
          boot: boots[producer],
          sequence: sequences[producer],
        },
      }),
    );
    // Every 400 decisions two of the user's credentials are revoked; the one before is lifted.
    if (i % 400 === 399) {
      const round = (i + 1) / 400;
      for (const c of [round % credentials, (round + 1) % credentials]) {
        controls.push(controlEvent({ id: idOf(ms, (n += 1)), time: new Date(ms), source: eventSource('graphql-api', 'g1'), type: CREDENTIAL_REVOKED_EVENT_TYPE, data: { revocationId: `alice-${round}-${c}`, fingerprint: oneUserFingerprint(c), reason: 'leaked', revokedBy: 'admin' } }));
      }
      if (round > 1) {
        controls.push(controlEvent({ id: idOf(ms, (n += 1)), time: new Date(ms), source: eventSource('graphql-api', 'g1'), type: REVOCATION_LIFTED_EVENT_TYPE, data: { revocationId: `alice-${round - 1}-${(round - 1) % credentials}`, liftedBy: 'admin' } }));
      }
    }
  }
  return { decisions, controls };
}
