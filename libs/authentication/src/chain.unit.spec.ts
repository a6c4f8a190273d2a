import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthnConfig, StrategyConfigEntry } from '@authtrail/config';
import type { AuthOutcome, RequestView, Strategy } from '@authtrail/strategies';
import { composeChain, type StrategyRegistry } from './chain';

const view = (authorization?: string, path = '/'): RequestView => ({ headers: authorization ? { authorization } : {}, peerCertificates: [], sourceIp: '127.0.0.1', method: 'GET', path, audiences: [], tls: false });

/** Strategies that answer from a table keyed by the Authorization header, counting calls. */
function fakeRegistry(calls: string[]): StrategyRegistry {
  return {
    async createStrategy(config: StrategyConfigEntry): Promise<Strategy> {
      const answers = (config['answers'] ?? {}) as Record<string, AuthOutcome>;
      return {
        id: config.id,
        async authenticate(request) {
          calls.push(config.id);
          if (config.id === 'anonymous') return { kind: 'authenticated', user: { username: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} }, credential: { type: 'anonymous' } };
          return answers[request.headers['authorization'] ?? ''] ?? { kind: 'abstained' };
        },
      };
    },
  };
}

const user = (username: string): AuthOutcome => ({ kind: 'authenticated', user: { username, groups: ['g'], extra: {} }, credential: { type: 'static-token', secretForFingerprint: 'x' } });
const authn = (strategies: StrategyConfigEntry[], anonymous = false, cache: AuthnConfig['cache'] = { successTTL: 10_000, failureTTL: 0, maxEntries: 10 }): AuthnConfig => ({
  http: { port: 0, host: '127.0.0.1' },
  trustedProxies: [],
  anonymous: { enabled: anonymous },
  cache,
  strategies,
  limits: { bodyLimit: 1, maxHeaderSize: 1, requestTimeout: 1, keepAliveTimeout: 1, connectionTimeout: 1, shutdownGrace: 1 },
});

describe('composeChain', () => {
  it('asks strategies in config order and the first authenticated wins, with system:authenticated added', async () => {
    const calls: string[] = [];
    const { chain } = await composeChain(authn([{ id: 'static-token', answers: {} }, { id: 'oidc', answers: { 'Bearer t': user('jane') } }, { id: 'x509', answers: { 'Bearer t': user('other') } }]), fakeRegistry(calls), {});
    const result = await chain.authenticateWithTrace(view('Bearer t'));
    expect(calls).toEqual(['static-token', 'oidc']);
    expect(result.strategy).toBe('oidc');
    expect(result.outcome.kind === 'authenticated' && result.outcome.user.groups).toEqual(['g', 'system:authenticated']);
    expect(result.attempts.map((a) => `${a.strategy}:${a.outcome}`)).toEqual(['static-token:abstained', 'oidc:authenticated']);
  });

  it('successes are cached for successTTL: the second request asks no strategy', async () => {
    const calls: string[] = [];
    const composed = await composeChain(authn([{ id: 'static-token', answers: { 'Bearer t': user('alice') } }]), fakeRegistry(calls), {});
    await composed.chain.authenticateWithTrace(view('Bearer t'));
    await composed.chain.authenticateWithTrace(view('Bearer t'));
    expect(calls).toEqual(['static-token']);
    expect(composed.cacheStats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('with both TTLs 0 there is no cache, as in kube-apiserver: every request, even a concurrent twin, asks the strategies', async () => {
    const calls: string[] = [];
    const composed = await composeChain(authn([{ id: 'static-token', answers: { 'Bearer t': user('alice') } }], false, { successTTL: 0, failureTTL: 0, maxEntries: 10 }), fakeRegistry(calls), {});
    await Promise.all([composed.chain.authenticateWithTrace(view('Bearer t')), composed.chain.authenticateWithTrace(view('Bearer t'))]);
    await composed.chain.authenticateWithTrace(view('Bearer t'));
    expect(calls).toEqual(['static-token', 'static-token', 'static-token']);
    expect(composed.cacheStats()).toBeUndefined();
  });

  it('a cached entry keeps the fingerprints (every key), never the raw secret; without the fingerprint it would keep the secret', async () => {
    const secret: AuthOutcome = { kind: 'authenticated', user: { username: 'alice', groups: [], extra: {} }, credential: { type: 'static-token', secretForFingerprint: 'raw-secret-token' } };
    const answers = { 'Bearer raw-secret-token': secret };
    const keyed = await composeChain(authn([{ id: 'static-token', answers }]), fakeRegistry([]), {}, { fingerprint: (s) => `fp:${s.length}`, candidates: (s) => [`fp:${s.length}`, `old:${s.length}`] });
    await keyed.chain.authenticateWithTrace(view('Bearer raw-secret-token'));
    const hit = await keyed.chain.authenticateWithTrace(view('Bearer raw-secret-token'));
    expect(keyed.cacheStats()?.hits).toBe(1);
    expect(JSON.stringify(hit)).not.toContain('raw-secret-token');
    expect(hit.outcome.kind === 'authenticated' && hit.outcome.credential).toEqual({ type: 'static-token', fingerprint: 'fp:16', fingerprints: ['fp:16', 'old:16'] });

    const unkeyed = await composeChain(authn([{ id: 'static-token', answers }]), fakeRegistry([]), {});
    await unkeyed.chain.authenticateWithTrace(view('Bearer raw-secret-token'));
    expect(JSON.stringify(await unkeyed.chain.authenticateWithTrace(view('Bearer raw-secret-token')))).toContain('raw-secret-token');
  });

  it('anonymous comes last and only when every strategy abstained; a rejected credential is never anonymous', async () => {
    const calls: string[] = [];
    const rejected: AuthOutcome = { kind: 'rejected', reason: 'unknown_token', message: 'no' };
    const { chain, strategyIds } = await composeChain(authn([{ id: 'static-token', answers: { 'Bearer bad': rejected } }], true), fakeRegistry(calls), {});
    expect(strategyIds).toEqual(['static-token', 'anonymous']);
    const none = await chain.authenticateWithTrace(view());
    expect(none.outcome.kind === 'authenticated' && none.outcome.user.username).toBe('system:anonymous');
    expect(none.outcome.kind === 'authenticated' && none.outcome.user.groups).toEqual(['system:unauthenticated']);
    const bad = await chain.authenticateWithTrace(view('Bearer bad'));
    expect(bad.outcome).toEqual(rejected);
  });

  it('basic-auth in the list is reported (for WWW-Authenticate: Basic)', async () => {
    expect((await composeChain(authn([{ id: 'basic-auth' }]), fakeRegistry([]), {})).basicAuth).toBe(true);
    expect((await composeChain(authn([{ id: 'oidc' }]), fakeRegistry([]), {})).basicAuth).toBe(false);
  });

  it('a strategy that fails to start closes the ones already created and rethrows', async () => {
    const closed: string[] = [];
    const registry: StrategyRegistry = {
      async createStrategy(config) {
        if (config.id === 'oidc') throw new Error('cannot start');
        return { id: config.id, authenticate: async () => ({ kind: 'abstained' }), close: async () => void closed.push(config.id) };
      },
    };
    await expect(composeChain(authn([{ id: 'static-token' }, { id: 'oidc' }]), registry, {})).rejects.toThrow('cannot start');
    expect(closed).toEqual(['static-token']);
  });
});

describe('composeChain with authn.authenticationConfiguration (kube-apiserver --authentication-config)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-chain-kube-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const HEAD = 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n';

  it('the file\'s jwt authenticators come after the listed strategies, its anonymous section is the anonymous strategy', async () => {
    const path = file('ok.yaml', `${HEAD}jwt:\n- issuer: { url: "https://idp.example", audiences: [a] }\n  claimMappings: { username: { claim: sub, prefix: "" } }\nanonymous:\n  enabled: true\n  conditions: [{ path: /livez }]\n`);
    const composed = await composeChain({ ...authn([{ id: 'static-token', answers: {} }]), authenticationConfiguration: path }, fakeRegistry([]), {});
    try {
      expect(composed.strategyIds).toEqual(['static-token', 'oidc', 'anonymous']);
      expect(composed.authenticationConfiguration?.status().jwtAuthenticators).toBe(1);
      expect((await composed.chain.authenticateWithTrace(view(undefined, '/livez'))).outcome).toMatchObject({ kind: 'authenticated', user: { username: 'system:anonymous' } });
      expect((await composed.chain.authenticateWithTrace(view(undefined, '/api'))).outcome).toMatchObject({ kind: 'rejected', reason: 'no_credentials' });
    } finally {
      await composed.close();
    }
  });

  it('a file kube-apiserver would refuse fails the start with its messages; anonymous may not be configured twice', async () => {
    const bad = file('bad.yaml', `${HEAD}jwt:\n- issuer: { url: "http://idp.example", audiences: [a] }\n  claimMappings: { username: { claim: sub, prefix: "" } }\n`);
    await expect(composeChain({ ...authn([]), authenticationConfiguration: bad }, fakeRegistry([]), {})).rejects.toThrow('jwt[0].issuer.url: Invalid value: "http://idp.example": URL scheme must be https');
    const anonymous = file('anonymous.yaml', `${HEAD}anonymous: { enabled: true }\n`);
    await expect(composeChain({ ...authn([], true), authenticationConfiguration: anonymous }, fakeRegistry([]), {})).rejects.toThrow('anonymous: Forbidden: authn.anonymous cannot be set');
  });

  it('a service-account issuer is not accepted as a JWT authenticator issuer', async () => {
    const path = file('sa.yaml', `${HEAD}jwt:\n- issuer: { url: "https://kubernetes.default.svc", audiences: [a] }\n  claimMappings: { username: { claim: sub, prefix: "" } }\n`);
    await expect(composeChain({ ...authn([{ id: 'service-account', issuers: ['https://kubernetes.default.svc'] }]), authenticationConfiguration: path }, fakeRegistry([]), {})).rejects.toThrow('URL must not overlap with disallowed issuers');
  });
});
