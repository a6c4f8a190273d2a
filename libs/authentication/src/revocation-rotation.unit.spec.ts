// Revocations survive fingerprint key rotation (issue #15 item 2, through the shared decision
// path): revoke under k1, rotate to [k2, k1] — still refused, from the cache and without it —
// then remove k1: the revocation no longer matches, and control-state loading says which one.
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AuthnConfig } from '@authtrail/config';
import { createInProcessBus, type EventBus } from '@authtrail/event-bus';
import { controlEvent, createFingerprinter, CREDENTIAL_REVOKED_EVENT_TYPE, newEventId, toBusRecord, TOPICS, type FingerprintKey } from '@authtrail/events';
import type { RequestView, Strategy } from '@authtrail/strategies';
import { waitFor } from '@authtrail/testing';
import pino from 'pino';
import { composeChain } from './chain';
import { createDecisionService, noDecisionMetrics, type DecisionService } from './decision.service';
import { startProducerBoot } from './events/producer-boot';
import { createPolicyControl, type PolicyControl } from './policy/policy-control';

const TOKEN = randomBytes(24).toString('base64url');
const k1: FingerprintKey = { id: 'k1', secret: randomBytes(32) };
const k2: FingerprintKey = { id: 'k2', secret: randomBytes(32) };
const built = { view: { headers: { authorization: `Bearer ${TOKEN}` }, peerCertificates: [], sourceIp: '192.0.2.1', method: 'GET', path: '/', audiences: [], tls: true } satisfies RequestView, forwardedFor: [] };

/** A static-token-like strategy that knows TOKEN. */
const tokenStrategy: Strategy = {
  id: 'static-token',
  async authenticate(request) {
    if (request.headers['authorization'] !== `Bearer ${TOKEN}`) return { kind: 'abstained' };
    return { kind: 'authenticated', user: { username: 'alice', groups: [], extra: {} }, credential: { type: 'static-token', secretForFingerprint: TOKEN } };
  },
};

const authn = (successTTL: number): AuthnConfig => ({
  http: { port: 0, host: '127.0.0.1' },
  trustedProxies: [],
  anonymous: { enabled: false },
  cache: { successTTL, failureTTL: 0, maxEntries: 10 },
  strategies: [{ id: 'static-token' }],
  limits: { bodyLimit: 1, maxHeaderSize: 1, requestTimeout: 1, keepAliveTimeout: 1, connectionTimeout: 1, shutdownGrace: 1 },
});

describe('revocations by fingerprint and key rotation', () => {
  const bus: EventBus = createInProcessBus({ persistTopics: [] });
  const controls: PolicyControl[] = [];
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        warnings.push(chunk.toString('utf8'));
        done();
      },
    }),
  );

  /** One instance start with these keys (the control topic is the bus's, shared by every start). */
  async function start(keys: readonly FingerprintKey[], successTTL: number): Promise<DecisionService> {
    const fingerprinter = createFingerprinter({ keys });
    const fingerprint = (secret: string) => fingerprinter.fingerprint(secret);
    const candidates = (secret: string) => fingerprinter.candidates(secret);
    const { chain } = await composeChain(authn(successTTL), { createStrategy: async () => tokenStrategy }, {}, { fingerprint, candidates });
    const control = createPolicyControl({ subscriber: bus.subscriber, publisher: bus.publisher, instance: 'i', source: '/authtrail/authn/i', keyIds: fingerprinter.keyIds, logger });
    controls.push(control);
    await control.start();
    return createDecisionService({
      chain,
      policy: control,
      publisher: bus.publisher,
      eventsMode: 'buffered',
      fingerprint,
      candidates,
      usernameHash: (name) => fingerprinter.usernameHash(name),
      instance: 'i',
      producer: startProducerBoot({ instance: 'i', boot: newEventId(new Date()) }),
      newEventId,
      now: () => new Date(),
      metrics: noDecisionMetrics,
      logger,
    });
  }
  const reason = async (decisions: DecisionService) => (await decisions.decide('authenticate', built, 0n)).result.reason;

  afterAll(async () => {
    for (const control of controls) await control.stop();
    await bus.close();
  });

  it('revoke under k1; rotate to [k2, k1]: still refused, cached or not; remove k1: accepted again, and the load warns', async () => {
    const first = await start([k1], 10_000);
    const allowed = await first.decide('authenticate', built, 0n);
    expect(allowed.result.reason).toBe('ok');
    const fingerprint = allowed.result.credential?.fingerprint;
    expect(fingerprint).toMatch(/^hmac-sha256:k1:/);
    const revocationId = randomUUID();
    const time = new Date();
    await bus.publisher.publish(toBusRecord(TOPICS.control, controlEvent({ id: newEventId(time), time, source: '/authtrail/test/admin', type: CREDENTIAL_REVOKED_EVENT_TYPE, data: { revocationId, fingerprint: fingerprint!, revokedBy: 'admin' } })));
    await waitFor('the revocation', async () => ((await reason(first)) === 'credential_revoked' ? true : undefined));

    for (const successTTL of [10_000, 0]) {
      const rotated = await start([k2, k1], successTTL);
      // The first call evaluates the strategies, the second is a cache hit when the cache is on.
      expect([await reason(rotated), await reason(rotated)]).toEqual(['credential_revoked', 'credential_revoked']);
    }
    expect(warnings.join('')).not.toContain(revocationId);

    const retired = await start([k2], 10_000);
    expect(await reason(retired)).toBe('ok');
    const warning = warnings.find((line) => line.includes('no longer configured'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ revocationIds: [revocationId], keyIds: ['k2'] });
  });
});
