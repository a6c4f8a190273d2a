import fc from 'fast-check';
import type { AuthOutcome, RequestView } from '../strategy';
import { bearer, requestView } from '../shared/request-view.fixture';
import { abstainedOutcome, erroredOutcome, rejectedOutcome, scripted, userOutcome } from './chain.fixture';
import { cached } from './cached';
import { firstMatch } from './first-match';

function clock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

describe('cached', () => {
  it.each<[string, AuthOutcome, { successTTLms: number; failureTTLms: number }, number, number]>([
    ['a success is reused within the success TTL', userOutcome('alice'), { successTTLms: 10_000, failureTTLms: 0 }, 9_999, 1],
    ['a success is evaluated again after the success TTL', userOutcome('alice'), { successTTLms: 10_000, failureTTLms: 0 }, 10_000, 2],
    ['a failure is not cached with the Kubernetes default failure TTL of 0', rejectedOutcome(), { successTTLms: 10_000, failureTTLms: 0 }, 1, 2],
    ['a failure is reused within its own failure TTL', rejectedOutcome(), { successTTLms: 10_000, failureTTLms: 5_000 }, 4_999, 1],
    ['a failure is evaluated again after the failure TTL', rejectedOutcome(), { successTTLms: 10_000, failureTTLms: 5_000 }, 5_000, 2],
    ['errored is never cached', erroredOutcome, { successTTLms: 10_000, failureTTLms: 10_000 }, 1, 2],
    ['abstained is never cached', abstainedOutcome, { successTTLms: 10_000, failureTTLms: 10_000 }, 1, 2],
    ['a success is not kept past the credential expiry', userOutcome('alice', [], new Date(Date.parse('2026-01-01T00:00:03Z'))), { successTTLms: 10_000, failureTTLms: 0 }, 3_000, 2],
  ])('%s', async (_name, outcome, ttl, elapsed, expectedCalls) => {
    const c = clock();
    const inner = scripted('s', outcome);
    const strategy = cached(inner, { ...ttl, now: c.now });
    expect(await strategy.authenticate(requestView({ authorization: bearer('t') }))).toEqual(outcome);
    c.advance(elapsed);
    expect(await strategy.authenticate(requestView({ authorization: bearer('t') }))).toEqual(outcome);
    expect(inner.calls).toBe(expectedCalls);
  });

  it('keys on the credential and the audiences: another token or audience is a miss', async () => {
    const inner = scripted('s', userOutcome('alice'));
    const strategy = cached(inner, { successTTLms: 10_000, failureTTLms: 0 });
    await strategy.authenticate(requestView({ authorization: bearer('a') }));
    await strategy.authenticate(requestView({ authorization: bearer('a') }));
    await strategy.authenticate(requestView({ authorization: bearer('b') }));
    await strategy.authenticate(requestView({ authorization: bearer('a'), audiences: ['api'] }));
    expect(inner.calls).toBe(3);
    expect(strategy.stats()).toEqual({ hits: 1, misses: 3, coalesced: 0, bypassed: 0, size: 3 });
  });

  it('bypasses the cache when no credential is presented (anonymous depends on the path)', async () => {
    const inner = scripted('s', userOutcome('system:anonymous', ['system:unauthenticated']));
    const strategy = cached(inner, { successTTLms: 10_000, failureTTLms: 0 });
    await strategy.authenticate(requestView({ path: '/a' }));
    await strategy.authenticate(requestView({ path: '/b' }));
    expect(inner.calls).toBe(2);
    expect(strategy.stats()).toMatchObject({ bypassed: 2, size: 0 });
  });

  it('single-flights concurrent misses for the same key', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inner = scripted('s', async () => {
      await gate;
      return userOutcome('alice');
    });
    const strategy = cached(inner, { successTTLms: 10_000, failureTTLms: 0 });
    const pending = Array.from({ length: 20 }, () => strategy.authenticate(requestView({ authorization: bearer('t') })));
    release();
    const results = await Promise.all(pending);
    expect(results.every((r) => r.kind === 'authenticated')).toBe(true);
    expect(inner.calls).toBe(1);
    expect(strategy.stats()).toMatchObject({ misses: 1, coalesced: 19 });
  });

  it('single-flights an errored evaluation too, but does not keep it', async () => {
    const inner = scripted('s', erroredOutcome);
    const strategy = cached(inner, { successTTLms: 10_000, failureTTLms: 10_000 });
    await Promise.all([1, 2, 3].map(() => strategy.authenticate(requestView({ authorization: bearer('t') }))));
    expect(inner.calls).toBe(1);
    await strategy.authenticate(requestView({ authorization: bearer('t') }));
    expect(inner.calls).toBe(2);
  });

  it('stays within maxEntries and drops the least recently used entry first', async () => {
    const inner = scripted('s', userOutcome('alice'));
    const strategy = cached(inner, { successTTLms: 10_000, failureTTLms: 0, maxEntries: 2 });
    const ask = (t: string) => strategy.authenticate(requestView({ authorization: bearer(t) }));
    await ask('a');
    await ask('b');
    await ask('a'); // a is now the most recent
    await ask('c'); // evicts b
    expect(strategy.stats().size).toBe(2);
    const before = inner.calls;
    await ask('a');
    expect(inner.calls).toBe(before);
    await ask('b');
    expect(inner.calls).toBe(before + 1);
  });

  it('caches a whole chain result with its attempt trace', async () => {
    const first = scripted('one', rejectedOutcome());
    const strategy = cached(firstMatch([first, scripted('two', userOutcome('bob'))]), { successTTLms: 10_000, failureTTLms: 0 });
    await strategy.authenticateWithTrace(requestView({ authorization: bearer('t') }));
    const again = await strategy.authenticateWithTrace(requestView({ authorization: bearer('t') }));
    expect(first.calls).toBe(1);
    expect(again.attempts.map((a) => a.strategy)).toEqual(['one', 'two']);
    expect(again.strategy).toBe('two');
  });

  it('marks what a stored entry answers as cached (its objects are shared), the first answer included; what it does not store is not', async () => {
    const strategy = cached(firstMatch([scripted('one', userOutcome('bob'))]), { successTTLms: 10_000, failureTTLms: 0 });
    const miss = await strategy.authenticateWithTrace(requestView({ authorization: bearer('t') }));
    const hit = await strategy.authenticateWithTrace(requestView({ authorization: bearer('t') }));
    expect([miss.cached, hit.cached]).toEqual([true, true]);
    expect(hit.outcome).toBe(miss.outcome);
    const notStored = cached(firstMatch([scripted('one', rejectedOutcome())]), { successTTLms: 10_000, failureTTLms: 0 });
    expect((await notStored.authenticateWithTrace(requestView({ authorization: bearer('t') }))).cached).toBeUndefined();
  });

  it('passes a throw through to every waiter and keeps nothing', async () => {
    const strategy = cached({ id: 'x', authenticate: async () => { throw new Error('boom'); } });
    await expect(strategy.authenticate(requestView({ authorization: bearer('t') }))).rejects.toThrow('boom');
    expect(strategy.stats().size).toBe(0);
  });

  it('with a fingerprint function, entries keep the fingerprint and never the secret; each request costs one HMAC, hit or miss', async () => {
    const secret = 'the-raw-token-0123456789';
    const outcome: AuthOutcome = { kind: 'authenticated', user: { username: 'alice', groups: [], extra: {} }, credential: { type: 'static-token', secretForFingerprint: secret, publicId: 'u-1' } };
    let hmacs = 0;
    const strategy = cached(scripted('s', outcome), { successTTLms: 10_000, failureTTLms: 0, fingerprint: (s) => (hmacs++, `fp(${s.length})`) });
    const first = await strategy.authenticateWithTrace(requestView({ authorization: bearer(secret) }));
    const hit = await strategy.authenticateWithTrace(requestView({ authorization: bearer(secret) }));
    for (const result of [first, hit]) {
      expect(result.outcome).toEqual({ ...outcome, credential: { type: 'static-token', publicId: 'u-1', fingerprint: 'fp(24)' } });
      expect(JSON.stringify(result)).not.toContain(secret);
    }
    // The miss hashes the token once for both its cache key and the stored fingerprint; the hit
    // once for its cache key.
    expect(hmacs).toBe(2);
    expect(strategy.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('with a fingerprint function, a bearer header shares an entry only with the very same header text', async () => {
    const strategy = cached(scripted('s', userOutcome('alice')), { successTTLms: 10_000, failureTTLms: 0, fingerprint: (s) => `fp[${s}]` });
    const headers = ['Bearer tok', 'bearer tok', 'Bearer  tok', ' Bearer tok', 'Bearer tok ', 'Bearer\ttok', 'Bearer tok2', 'Basic dG9rOng=', 'tok'];
    for (const header of headers) await strategy.authenticate(requestView({ authorization: header }));
    expect(strategy.stats()).toMatchObject({ misses: headers.length, hits: 0 });
    for (const header of headers) await strategy.authenticate(requestView({ authorization: header }));
    expect(strategy.stats()).toMatchObject({ misses: headers.length, hits: headers.length });
  });

  it('with a fingerprint function, the same bearer header asked for other audiences or with a client certificate is another entry', async () => {
    const strategy = cached(scripted('s', userOutcome('alice')), { successTTLms: 10_000, failureTTLms: 0, fingerprint: (s) => `fp[${s}]` });
    const certificate = { raw: Buffer.from('a certificate') } as unknown as RequestView['peerCertificates'][number];
    const views = () => [requestView({ authorization: 'Bearer tok' }), requestView({ authorization: 'Bearer tok', audiences: ['api'] }), { ...requestView({ authorization: 'Bearer tok' }), peerCertificates: [certificate] }];
    for (const view of views()) await strategy.authenticate(view);
    expect(strategy.stats()).toMatchObject({ misses: 3, hits: 0 });
    for (const view of views()) await strategy.authenticate(view);
    expect(strategy.stats()).toMatchObject({ misses: 3, hits: 3 });
  });

  it('property: two different Authorization headers never share a cache entry', async () => {
    const header = fc.oneof(fc.string(), fc.string().map((t) => `Bearer ${t}`), fc.tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER'), fc.constantFrom(' ', '  ', '\t'), fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,12}$/)).map((p) => p.join('')));
    await fc.assert(
      fc.asyncProperty(header, header, async (a, b) => {
        fc.pre(a !== b && a !== '' && b !== '');
        const strategy = cached(scripted('s', userOutcome('alice')), { successTTLms: 10_000, failureTTLms: 0, fingerprint: (s) => `fp[${s}]` });
        await strategy.authenticate(requestView({ authorization: a }));
        await strategy.authenticate(requestView({ authorization: b }));
        await strategy.authenticate(requestView({ authorization: a }));
        expect(strategy.stats()).toMatchObject({ misses: 2, hits: 1 });
      }),
    );
  });

  it('with candidates, entries keep the fingerprint under every key (a rotation in progress) and never the secret', async () => {
    const secret = 'the-raw-token-0123456789';
    const outcome: AuthOutcome = { kind: 'authenticated', user: { username: 'alice', groups: [], extra: {} }, credential: { type: 'static-token', secretForFingerprint: secret } };
    const strategy = cached(scripted('s', outcome), {
      successTTLms: 10_000,
      failureTTLms: 0,
      fingerprint: (s) => `new(${s.length})`,
      candidates: (s) => [`new(${s.length})`, `old(${s.length})`],
    });
    await strategy.authenticateWithTrace(requestView({ authorization: bearer(secret) }));
    const hit = await strategy.authenticateWithTrace(requestView({ authorization: bearer(secret) }));
    expect(strategy.stats().hits).toBe(1);
    expect(hit.outcome).toEqual({ ...outcome, credential: { type: 'static-token', fingerprint: 'new(24)', fingerprints: ['new(24)', 'old(24)'] } });
    expect(JSON.stringify(hit)).not.toContain(secret);
  });

  it('an outcome that is not stored (errored, TTL 0) is passed on untouched, secret and all', async () => {
    const rejected: AuthOutcome = { kind: 'rejected', reason: 'unknown_token', message: 'no', credential: { type: 'static-token', secretForFingerprint: 'tok' } };
    const strategy = cached(scripted('s', rejected), { successTTLms: 10_000, failureTTLms: 0, fingerprint: () => 'fp' });
    expect((await strategy.authenticateWithTrace(requestView({ authorization: bearer('tok') }))).outcome).toEqual(rejected);
  });

  it.each([
    ['the claimed account name', { claimedUsername: 'ann' }],
    ['the typed (unknown) name, so the hit is hashed into the event like the miss', { typedUsername: 'nobody' }],
  ])('a failure served from the cache keeps %s', async (_sentence, named) => {
    const rejected: AuthOutcome = { kind: 'rejected', reason: 'invalid_password', message: 'no', credential: { type: 'basic-auth' }, ...named };
    const inner = scripted('basic-auth', rejected);
    const strategy = cached(inner, { successTTLms: 10_000, failureTTLms: 5_000, fingerprint: () => 'fp' });
    await strategy.authenticateWithTrace(requestView({ authorization: bearer('x') }));
    const hit = await strategy.authenticateWithTrace(requestView({ authorization: bearer('x') }));
    expect(inner.calls).toBe(1);
    expect(hit.outcome).toEqual(rejected);
  });
});
