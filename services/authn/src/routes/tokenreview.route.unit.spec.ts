// TokenReview through the real app and real strategies (static tokens, service-account JWTs
// verified with a key file, a service-account issuer whose JWKS is unreachable) composed by the
// real first-match chain: both versions on both paths, and which refusals carry `status.error`
// (kube-apiserver: an error is "the token could not be checked", never cached) and which do not.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceAccountStrategy, createStaticTokenStrategy, firstMatch, withGroups, type Strategy } from '@authtrail/strategies';
import type { AuthChain, PolicyHook } from '@authtrail/authentication';
import { boundServiceAccountClaims, ecKeyPair, freePort, signJwt, type TestKeyPair } from '@authtrail/testing';
import { fingerprint, testApp } from '../app.fixture';
import type { AuthnApp } from '../app';

const LOCAL_ISSUER = 'https://kubernetes.default.svc';
const REMOTE_ISSUER = 'https://remote-cluster.example';
const STRANGER_ISSUER = 'https://stranger.example';
const GOOD = 'good-static-token-000000000001';
const EXPIRED = 'expired-static-token-00000002';
const MALLORY = 'mallory-static-token-0000003';
const REVOKED = 'revoked-static-token-0000004';
const THROTTLED = 'throttled-static-token-00005';
const CRASH = 'crash-me-static-token-0000006';

let dir: string;
let signer: TestKeyPair;
let strangerKey: TestKeyPair;
let strategies: Strategy[];
let fullChain: AuthChain;
let jwtOnlyChain: AuthChain;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authn-tokenreview-'));
  signer = ecKeyPair({ kid: 'local' });
  strangerKey = ecKeyPair({ kid: 'stranger' });
  writeFileSync(join(dir, 'sa.pub'), signer.publicPem);
  writeFileSync(
    join(dir, 'tokens.csv'),
    [`${GOOD},alice,u-1,"dev"`, `${EXPIRED},old,u-2,"dev",2020-01-01T00:00:00Z`, `${MALLORY},mallory,u-3,"dev"`, `${REVOKED},rita,u-4,"dev"`, `${THROTTLED},tess,u-5,"dev"`].join('\n') + '\n',
  );
  // Nothing listens there: connection refused, the JWKS of that issuer cannot be read.
  const closedPort = await freePort();
  const staticToken = await createStaticTokenStrategy({ id: 'static-token', tokenFile: join(dir, 'tokens.csv') });
  const local = await createServiceAccountStrategy({ id: 'service-account', issuers: [LOCAL_ISSUER], keyFiles: [join(dir, 'sa.pub')] });
  const remote = await createServiceAccountStrategy({ id: 'service-account', issuers: [REMOTE_ISSUER], jwksUrl: `http://127.0.0.1:${closedPort}/openid/v1/jwks` });
  // A strategy that breaks its contract (throws) for one token: the chain records it as errored.
  const crashing: Strategy = {
    id: 'crashing',
    async authenticate(view) {
      if (view.headers['authorization'] === `Bearer ${CRASH}`) throw new Error('boom');
      return { kind: 'abstained' };
    },
  };
  strategies = [staticToken, local, remote];
  fullChain = withGroups(firstMatch([staticToken, local, remote, crashing]));
  jwtOnlyChain = withGroups(firstMatch([local, remote]));
});

afterAll(async () => {
  await Promise.all(strategies.map((s) => s.close?.()));
  rmSync(dir, { recursive: true, force: true });
});

/** Revocation, a denied user and a throttled credential, with the verdicts libs/policy gives. */
const policy: PolicyHook = {
  admit: ({ throttleKey }) =>
    throttleKey === fingerprint(THROTTLED)
      ? { version: 2, effects: [{ rule: 'throttle.perCredential', effect: 'deny', message: 'too many failed attempts; try again later' }], deny: { reason: 'throttled', message: 'too many failed attempts; try again later', httpStatus: 429, retryAfterSeconds: 60 } }
      : undefined,
  evaluate: ({ outcome, credentialFingerprint }) => {
    if (outcome.kind !== 'authenticated') return { version: 2, effects: [] };
    if (credentialFingerprint === fingerprint(REVOKED)) return { version: 2, effects: [{ rule: 'revocation', effect: 'deny', message: 'credential revoked' }], deny: { reason: 'credential_revoked', message: 'credential revoked', httpStatus: 401 } };
    if (outcome.user.username === 'mallory') return { version: 2, effects: [{ rule: 'denyUsernames', effect: 'deny', message: 'user mallory is denied' }], deny: { reason: 'policy_denied', message: 'user mallory is denied' } };
    return { version: 2, effects: [] };
  },
};

const app = (chain: AuthChain = fullChain): ReturnType<typeof testApp> => testApp({ chain, policy });

const review = async (instance: AuthnApp, token: string, options: { path?: string; bodyVersion?: string | null } = {}) => {
  const pathVersion = options.path ?? 'v1';
  const bodyVersion = options.bodyVersion === undefined ? pathVersion : options.bodyVersion;
  return instance.inject({
    method: 'POST',
    url: `/apis/authentication.k8s.io/${pathVersion}/tokenreviews`,
    payload: { ...(bodyVersion !== null ? { apiVersion: `authentication.k8s.io/${bodyVersion}` } : {}), kind: 'TokenReview', spec: { token } },
  });
};

const saToken = (options: { issuer?: string; audiences?: string[]; expiresIn?: number; key?: TestKeyPair } = {}) =>
  signJwt(boundServiceAccountClaims({ issuer: options.issuer ?? LOCAL_ISSUER, audiences: options.audiences ?? [LOCAL_ISSUER], namespace: 'ci', name: 'builder', ...(options.expiresIn !== undefined ? { expiresIn: options.expiresIn } : {}) }), options.key ?? signer);

describe('TokenReview versions', () => {
  const PAIRS = [
    ['v1', 'v1'],
    ['v1', 'v1beta1'],
    ['v1beta1', 'v1'],
    ['v1beta1', 'v1beta1'],
  ] as const;

  it.each(PAIRS)('on the %s path, a %s body is answered in the body version, allowed or refused', async (pathVersion, bodyVersion) => {
    const { app: instance, publisher } = app();
    const allowed = await review(instance, GOOD, { path: pathVersion, bodyVersion });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json()).toEqual({
      apiVersion: `authentication.k8s.io/${bodyVersion}`,
      kind: 'TokenReview',
      metadata: { creationTimestamp: null },
      status: { authenticated: true, user: { username: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'], extra: {} }, audiences: [] },
    });
    const refused = await review(instance, 'no-such-token', { path: pathVersion, bodyVersion });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toEqual({ apiVersion: `authentication.k8s.io/${bodyVersion}`, kind: 'TokenReview', metadata: { creationTimestamp: null }, status: { authenticated: false } });
    expect(publisher.events().map((e) => [e.data.decision, e.data.request.path])).toEqual([
      ['allow', `/apis/authentication.k8s.io/${pathVersion}/tokenreviews`],
      ['deny', `/apis/authentication.k8s.io/${pathVersion}/tokenreviews`],
    ]);
  });

  it.each(['v1', 'v1beta1'])('a body without apiVersion on the %s path is answered in the path version', async (pathVersion) => {
    const { app: instance } = app();
    const res = await review(instance, GOOD, { path: pathVersion, bodyVersion: null });
    expect(res.json()).toMatchObject({ apiVersion: `authentication.k8s.io/${pathVersion}`, status: { authenticated: true } });
  });

  it.each([
    ['an apiVersion of another group', { apiVersion: 'authorization.k8s.io/v1', kind: 'TokenReview', spec: { token: GOOD } }],
    ['a version TokenReview never had', { apiVersion: 'authentication.k8s.io/v1alpha1', kind: 'TokenReview', spec: { token: GOOD } }],
    ['another kind', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', spec: { token: GOOD } }],
  ])('%s is a 400 bad_request', async (_name, payload) => {
    const { app: instance, publisher } = app();
    const res = await instance.inject({ method: 'POST', url: '/apis/authentication.k8s.io/v1beta1/tokenreviews', payload });
    expect(res.statusCode).toBe(400);
    expect(publisher.events()[0]?.data).toMatchObject({ httpStatus: 400, reason: 'bad_request' });
  });
});

describe('TokenReview: the token is at most 16,384 characters (code points)', () => {
  const LIMIT = 16384;
  it.each([
    ['ASCII at the limit: checked, refused as unknown', 'a'.repeat(LIMIT), 200],
    ['ASCII one over: 400, no strategy ran', 'a'.repeat(LIMIT + 1), 400],
    // Ten surrogate pairs: ten UTF-16 units more than code points.
    ['at the limit in code points, over it in UTF-16 units: checked', `${'a'.repeat(LIMIT - 10)}${'😀'.repeat(10)}`, 200],
    ['one code point over', `${'a'.repeat(LIMIT - 9)}${'😀'.repeat(10)}`, 400],
  ])('%s', async (_name, token, status) => {
    const { app: instance, publisher } = app();
    const res = await review(instance, token);
    expect(res.statusCode).toBe(status);
    const [event] = publisher.events();
    if (status === 400) {
      expect(res.json()).toMatchObject({ reason: 'bad_request', message: `request does not match the schema: body/spec/token must NOT have more than ${LIMIT} characters` });
      expect(event?.data).toMatchObject({ httpStatus: 400, reason: 'bad_request', attempts: [] });
    } else {
      expect(res.json()).toMatchObject({ status: { authenticated: false } });
      expect(event?.data).toMatchObject({ decision: 'deny', reason: 'unknown_token' });
    }
    expect(JSON.stringify(publisher.events())).not.toContain(token.slice(0, 64));
  });
});

describe('TokenReview refusals: status.error only when the token could not be checked', () => {
  // [case, token (made lazily: keys exist after beforeAll), event reason, error pattern or undefined (definitive)]
  const cases: ReadonlyArray<[string, () => string, string, RegExp | undefined]> = [
    ['an unknown static token', () => 'no-such-token-at-all', 'unknown_token', undefined],
    ['an expired static token', () => EXPIRED, 'token_expired', undefined],
    ['a service-account JWT with a bad signature', () => saToken({ key: strangerKey }), 'bad_signature', undefined],
    ['an expired service-account JWT', () => saToken({ expiresIn: -3600 }), 'token_expired', undefined],
    ['a service-account JWT for another audience', () => saToken({ audiences: ['https://elsewhere.example'] }), 'audience_mismatch', undefined],
    ['a service-account JWT of an issuer nobody trusts', () => saToken({ issuer: STRANGER_ISSUER, key: strangerKey }), 'issuer_mismatch', undefined],
    ['an empty token', () => '', 'no_credentials', undefined],
    ['a revoked token (policy)', () => REVOKED, 'credential_revoked', undefined],
    ['a user the policy denies', () => MALLORY, 'policy_denied', undefined],
    ['a throttled token, refused before any strategy ran', () => THROTTLED, 'throttled', /^not checked: too many failed attempts/],
    ['a JWT of an issuer whose JWKS is unreachable (the other strategies only say "not mine")', () => saToken({ issuer: REMOTE_ISSUER }), 'upstream_unavailable', /^the token could not be checked: JWKS unavailable: /],
    ['a token a strategy failed on (the others only say "not mine")', () => CRASH, 'internal_error', /^the token could not be checked: strategy crashing failed unexpectedly$/],
  ];

  it.each(cases)('%s: authenticated false, the reason on the event', async (_name, token, reason, error) => {
    const { app: instance, publisher } = app();
    const res = await review(instance, token(), { path: 'v1beta1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ apiVersion: 'authentication.k8s.io/v1beta1', kind: 'TokenReview', metadata: { creationTimestamp: null }, status: { authenticated: false, ...(error ? { error: expect.stringMatching(error) } : {}) } });
    const [event] = publisher.events();
    expect(event?.data).toMatchObject({ decision: 'deny', reason, message: expect.any(String), request: { endpoint: 'tokenreview' } });
    expect(res.headers['x-authtrail-decision-id']).toBe(event?.id);
  });

  it('every strategy errored (JWKS unreachable): status.error carries what the strategy said', async () => {
    const { app: instance, publisher } = app(jwtOnlyChain);
    // Without service-account claims the local issuer's strategy abstains instead of saying "not mine".
    const token = signJwt(boundServiceAccountClaims({ issuer: REMOTE_ISSUER, audiences: [REMOTE_ISSUER], overrides: { 'kubernetes.io': undefined } }), signer);
    const res = await review(instance, token);
    expect(res.json().status).toEqual({ authenticated: false, error: expect.stringMatching(/^the token could not be checked: JWKS unavailable: /) });
    expect(publisher.events()[0]?.data).toMatchObject({ decision: 'deny', reason: 'upstream_unavailable', attempts: [{ strategy: 'service-account', outcome: 'abstained' }, { strategy: 'service-account', outcome: 'errored', reason: 'upstream_unavailable' }] });
  });

  it('a policy denial is definitive even when the token could not be checked', async () => {
    // As `allowedSourceCidrs` does for any outcome: the address decides, whatever the token is.
    const fromOutside: PolicyHook = { evaluate: ({ request }) => (request.sourceIp === '192.0.2.9' ? { version: 3, effects: [{ rule: 'allowedSourceCidrs', effect: 'deny', message: 'source address not allowed' }], deny: { reason: 'policy_denied', message: 'source address not allowed' } } : { version: 3, effects: [] }) };
    const { app: instance, publisher } = testApp({ chain: jwtOnlyChain, policy: fromOutside });
    const token = signJwt(boundServiceAccountClaims({ issuer: REMOTE_ISSUER, audiences: [REMOTE_ISSUER], overrides: { 'kubernetes.io': undefined } }), signer);
    const inject = (remoteAddress: string) => instance.inject({ method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', remoteAddress, payload: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
    expect((await inject('192.0.2.9')).json().status).toEqual({ authenticated: false });
    expect((await inject('198.51.100.1')).json().status).toEqual({ authenticated: false, error: expect.any(String) });
    expect(publisher.events().map((e) => e.data.reason)).toEqual(['policy_denied', 'upstream_unavailable']);
  });

  it('a token one strategy rejects for good is definitive even if another strategy errored', async () => {
    // The local issuer's strategy says "expired"; the crashing strategy is not asked for this
    // token, so add the failure with a chain whose last member always errors.
    const alwaysErrors: Strategy = { id: 'flaky-idp', authenticate: async () => ({ kind: 'errored', reason: 'upstream_unavailable', message: 'idp down' }) };
    const local = await createServiceAccountStrategy({ id: 'service-account', issuers: [LOCAL_ISSUER], keyFiles: [join(dir, 'sa.pub')] });
    const { app: instance, publisher } = app(withGroups(firstMatch([local, alwaysErrors])));
    const res = await review(instance, saToken({ expiresIn: -3600 }));
    expect(res.json().status).toEqual({ authenticated: false });
    expect(publisher.events()[0]?.data.attempts).toEqual([
      { strategy: 'service-account', outcome: 'rejected', reason: 'token_expired' },
      { strategy: 'flaky-idp', outcome: 'errored', reason: 'upstream_unavailable' },
    ]);
  });
});
