// Throttle first (issue #15 item 6): once a source address or a credential is blocked, the
// decision is a 429 taken before any strategy runs — counted here by the chain's evaluations.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInProcessBus, type EventBus } from '@authtrail/event-bus';
import { cached, type AuthOutcome, type RequestView } from '@authtrail/strategies';
import pino from 'pino';
import { createDecisionService, noDecisionMetrics, type AuthChain } from './decision.service';
import type { BuiltView } from './request-view/request-view';
import { startProducerBoot } from './events/producer-boot';
import { createPolicyControl, type PolicyControl } from './policy/policy-control';

const logger = pino({ level: 'silent' });
const view = (authorization: string, sourceIp: string): BuiltView => ({
  view: { headers: { authorization }, peerCertificates: [], sourceIp, method: 'GET', path: '/', audiences: [], tls: true } satisfies RequestView,
  forwardedFor: [],
});
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The decision service as the specs below run it: in-process bus, fixed ids, no metrics. */
function decisionService(chain: AuthChain, control: PolicyControl, bus: EventBus, fingerprint: (secret: string) => string) {
  return createDecisionService({
    chain,
    policy: control,
    publisher: bus.publisher,
    eventsMode: 'buffered',
    fingerprint,
    usernameHash: (name) => `uh:${name}`,
    instance: 't',
    producer: startProducerBoot({ instance: 't', boot: '0194a1b2-c3d4-7e5f-8a9b-000000000001' }),
    newEventId: () => '0194a1b2-c3d4-7e5f-8a9b-000000000002',
    now: () => new Date(),
    metrics: noDecisionMetrics,
    logger,
  });
}

/** A chain that rejects every credential and counts how often it ran (each run would be one password hash). */
function rejectingChain(): AuthChain & { runs: number } {
  const chain = {
    runs: 0,
    async authenticateWithTrace() {
      chain.runs += 1;
      const outcome: AuthOutcome = { kind: 'rejected', reason: 'invalid_password', message: 'invalid user name or password', credential: { type: 'basic-auth' } };
      return { outcome, attempts: [{ strategy: 'basic-auth', outcome: 'rejected' as const, reason: 'invalid_password' as const }], strategy: 'basic-auth' };
    },
  };
  return chain;
}

describe('the decision path asks the throttle before any strategy', () => {
  let dir: string;
  let bus: EventBus;
  let control: PolicyControl;

  const start = async (policy: string) => {
    writeFileSync(join(dir, 'policy.yaml'), policy);
    bus = createInProcessBus({ persistTopics: [] });
    control = createPolicyControl({ subscriber: bus.subscriber, publisher: bus.publisher, initialPolicyFile: join(dir, 'policy.yaml'), instance: 't', source: '/authtrail/authn/t', logger });
    await control.start();
    const chain = rejectingChain();
    const decisions = decisionService(chain, control, bus, (secret) => `fp:${secret.length}:${Buffer.from(secret).toString('hex')}`);
    return { chain, decisions };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'authtrail-throttle-'));
  });
  afterEach(async () => {
    await control?.stop();
    await bus?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a blocked source address is refused with 429 and no strategy runs', async () => {
    const { chain, decisions } = await start('throttle:\n  perSourceIp: { failures: 2, window: 1m, block: 5m }\n');
    for (const password of ['a', 'b']) expect((await decisions.decide('forward-auth', view(basic('bob', password), '192.0.2.7'), 0n)).result.httpStatus).toBe(401);
    expect(chain.runs).toBe(2);
    const blocked = await decisions.decide('forward-auth', view(basic('alice', 'c'), '192.0.2.7'), 0n);
    expect(blocked.result).toMatchObject({ decision: 'deny', httpStatus: 429, reason: 'throttled', attempts: [], policy: { effects: [{ rule: 'throttle.perSourceIp' }] } });
    expect(blocked.retryAfterSeconds).toBe(300);
    expect(blocked.outcome).toBe('refused');
    expect(chain.runs).toBe(2);
    // Another address is not blocked.
    await decisions.decide('forward-auth', view(basic('alice', 'c'), '192.0.2.8'), 0n);
    expect(chain.runs).toBe(3);
  });

  it('a blocked basic-auth account is refused from any address, whatever password is tried, with no strategy run', async () => {
    const { chain, decisions } = await start('throttle:\n  perCredential: { failures: 2, window: 1m, block: 5m }\n');
    await decisions.decide('authenticate', view(basic('bob', 'a'), '192.0.2.1'), 0n);
    await decisions.decide('authenticate', view(basic('bob', 'b'), '192.0.2.2'), 0n);
    expect(chain.runs).toBe(2);
    const blocked = await decisions.decide('authenticate', view(basic('bob', 'the-right-one'), '192.0.2.3'), 0n);
    expect(blocked.result).toMatchObject({ httpStatus: 429, reason: 'throttled', policy: { effects: [{ rule: 'throttle.perCredential' }] } });
    expect(chain.runs).toBe(2);
    await decisions.decide('authenticate', view(basic('carol', 'a'), '192.0.2.3'), 0n);
    expect(chain.runs).toBe(3);
  });

  it('a blocked bearer token is refused before any strategy; a TokenReview never blocks the API server address', async () => {
    const { chain, decisions } = await start('throttle:\n  perSourceIp: { failures: 1, window: 1m, block: 5m }\n  perCredential: { failures: 2, window: 1m, block: 5m }\n');
    await decisions.decide('tokenreview', view('Bearer stolen', '10.0.0.1'), 0n);
    await decisions.decide('tokenreview', view('Bearer stolen', '10.0.0.1'), 0n);
    expect(chain.runs).toBe(2);
    expect((await decisions.decide('tokenreview', view('Bearer stolen', '10.0.0.1'), 0n)).result.reason).toBe('throttled');
    expect(chain.runs).toBe(2);
    // Same API server address, another token: the address itself is never blocked for TokenReview.
    expect((await decisions.decide('tokenreview', view('Bearer other', '10.0.0.1'), 0n)).result.reason).toBe('invalid_password');
    expect(chain.runs).toBe(3);
  });
});

describe('one HMAC per request (issue #19): throttle key, cache key and event fingerprint share it', () => {
  let bus: EventBus;
  let control: PolicyControl;
  let dir: string;
  afterEach(async () => {
    await control?.stop();
    await bus?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['cache on: a miss then two hits', 10_000, 3],
    ['cache off', 0, 3],
  ])('%s: one fingerprint computation per request, and the event names the token by it', async (_name, successTTLms, requests) => {
    dir = mkdtempSync(join(tmpdir(), 'authtrail-one-hmac-'));
    writeFileSync(join(dir, 'policy.yaml'), 'throttle:\n  perCredential: { failures: 5, window: 1m, block: 5m }\n');
    bus = createInProcessBus({ persistTopics: [] });
    control = createPolicyControl({ subscriber: bus.subscriber, publisher: bus.publisher, initialPolicyFile: join(dir, 'policy.yaml'), instance: 't', source: '/authtrail/authn/t', logger });
    await control.start();
    const token = 'a-presented-token-0123456789';
    let hmacs = 0;
    const fingerprint = (secret: string) => (hmacs++, `fp:${Buffer.from(secret).toString('hex')}`);
    let evaluations = 0;
    const strategy = {
      id: 'static-token',
      async authenticate(): Promise<AuthOutcome> {
        evaluations++;
        return { kind: 'authenticated', user: { username: 'alice', groups: [], extra: {} }, credential: { type: 'static-token', secretForFingerprint: token } };
      },
    };
    const decisions = decisionService(cached(strategy, { successTTLms, failureTTLms: 0, fingerprint }), control, bus, fingerprint);
    for (let i = 0; i < requests; i++) {
      const decided = await decisions.decide('tokenreview', view(`Bearer ${token}`, '10.0.0.1'), 0n);
      expect(decided.result.credential?.fingerprint).toBe(`fp:${Buffer.from(token).toString('hex')}`);
      // Answered by a cache entry: its user and credential are shared (their event sections are built once).
      expect(decided.result.cached).toBe(successTTLms > 0 ? true : undefined);
    }
    expect(hmacs).toBe(requests);
    expect(evaluations).toBe(successTTLms > 0 ? 1 : requests);
  });
});
