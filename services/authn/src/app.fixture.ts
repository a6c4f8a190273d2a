// Test doubles for the app's ports (spec files only): a recording publisher, a small chain of
// in-test strategies that honour the Strategy contract, and a builder with sensible limits.
import { Writable } from 'node:stream';
import { createHmac } from 'node:crypto';
import type { BusRecord, Publisher, PublisherStats } from '@authtrail/event-bus';
import type { DecisionEvent } from '@authtrail/events';
import type { Attempt, AuthOutcome, RequestView } from '@authtrail/strategies';
import { buildApp, type AppDeps, type AuthnApp } from './app';
import type { AuthChain } from '@authtrail/authentication';
import { createLogger } from './observability/logger';

export const TEST_LIMITS = { bodyLimit: 65_536, maxHeaderSize: 16_384, requestTimeout: 10_000, keepAliveTimeout: 5_000, connectionTimeout: 30_000 };

export interface RecordingPublisher extends Publisher {
  readonly records: BusRecord[];
  events(): DecisionEvent[];
}

export function recordingPublisher(options: { fail?: boolean } = {}): RecordingPublisher {
  const records: BusRecord[] = [];
  let dropped = 0;
  const stats = (): PublisherStats => ({ published: records.length, acknowledged: records.length, buffered: 0, spooled: 0, spoolBytes: 0, dropped });
  return {
    records,
    events: () => records.map((r) => JSON.parse(r.value.toString('utf8')) as DecisionEvent),
    async publish(record) {
      if (options.fail) {
        dropped++;
        throw new Error('broker unavailable');
      }
      records.push(record);
      return { dropped: false };
    },
    flush: async () => undefined,
    close: async () => undefined,
    stats,
  };
}

export const ALICE_TOKEN = 'alice-static-token-0123456789';
export const KEY = Buffer.alloc(32, 9);
export const fingerprint = (secret: string) => `hmac-sha256:test:${createHmac('sha256', KEY).update(secret).digest('hex')}`;
export const usernameHash = (name: string) => `hmac-sha256-username:test:${createHmac('sha256', KEY).update(`u:${name}`).digest('hex')}`;

/** Accounts the fake basic strategy knows (every password is wrong). */
export const BASIC_USERS: ReadonlySet<string> = new Set(['bob']);

/** Static bearer tokens, a "basic" strategy that always rejects, and an anonymous fallback. */
export function testChain(options: { anonymous?: boolean } = {}): AuthChain {
  const tokens = new Map([[ALICE_TOKEN, { username: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'], extra: { 'example.com/team': ['a/b'] } }]]);
  const staticToken = (view: RequestView): AuthOutcome => {
    const header = view.headers['authorization'];
    if (!header?.startsWith('Bearer ')) return { kind: 'abstained' };
    const token = header.slice(7);
    const user = tokens.get(token);
    if (!user) return { kind: 'rejected', reason: 'unknown_token', message: 'token not recognised', credential: { type: 'static-token', secretForFingerprint: token } };
    return { kind: 'authenticated', user, credential: { type: 'static-token', secretForFingerprint: token, publicId: user.uid } };
  };
  const basic = (view: RequestView): AuthOutcome => {
    const header = view.headers['authorization'];
    if (!header?.startsWith('Basic ')) return { kind: 'abstained' };
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { kind: 'rejected', reason: 'malformed_credentials', message: 'basic credentials are not user:password' };
    // As the real basic-auth: a known account is claimed in clear, any other name is only typed.
    const name = decoded.slice(0, colon);
    return { kind: 'rejected', reason: 'invalid_password', message: 'wrong password', ...(BASIC_USERS.has(name) ? { claimedUsername: name } : { typedUsername: name }), credential: { type: 'basic-auth' } };
  };
  const x509 = (view: RequestView): AuthOutcome => {
    const leaf = view.peerCertificates[0];
    if (!leaf) return { kind: 'abstained' };
    const cn = /CN=([^\n,]+)/.exec(leaf.subject)?.[1] ?? 'unknown';
    return { kind: 'authenticated', user: { username: cn, groups: ['system:authenticated'], extra: {} }, credential: { type: 'x509', publicId: leaf.serialNumber } };
  };
  return {
    async authenticateWithTrace(view) {
      const attempts: Attempt[] = [];
      let firstRejected: { outcome: AuthOutcome; strategy: string } | undefined;
      for (const [id, strategy] of [['static-token', staticToken], ['basic-auth', basic], ['x509', x509]] as const) {
        const outcome = strategy(view);
        attempts.push({ strategy: id, outcome: outcome.kind, ...(outcome.kind === 'rejected' ? { reason: outcome.reason } : outcome.kind === 'authenticated' ? { reason: 'ok' as const } : {}) });
        if (outcome.kind === 'authenticated') return { outcome, attempts, strategy: id };
        if (outcome.kind === 'rejected') firstRejected ??= { outcome, strategy: id };
      }
      if (firstRejected) return { ...firstRejected, attempts };
      if (options.anonymous) {
        attempts.push({ strategy: 'anonymous', outcome: 'authenticated', reason: 'ok' });
        return { outcome: { kind: 'authenticated', user: { username: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} }, credential: { type: 'anonymous' } }, attempts, strategy: 'anonymous' };
      }
      return { outcome: { kind: 'rejected', reason: 'no_credentials', message: 'no credentials presented' }, attempts };
    },
  };
}

/** A writable that keeps everything pino writes, for "no secret in the logs" tests. */
export function logCapture(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

export function testApp(overrides: Partial<AppDeps> = {}): { app: AuthnApp; publisher: RecordingPublisher } {
  const publisher = (overrides.publisher as RecordingPublisher | undefined) ?? recordingPublisher();
  const app = buildApp({
    chain: testChain(),
    publisher,
    logger: createLogger('silent'),
    fingerprint,
    usernameHash,
    instance: 'test-1',
    trustedProxies: ['10.0.0.0/8'],
    clientCertificateProxies: ['10.0.0.0/8'],
    limits: TEST_LIMITS,
    defaultMetrics: false,
    basicAuth: true,
    ...overrides,
  });
  return { app, publisher };
}
