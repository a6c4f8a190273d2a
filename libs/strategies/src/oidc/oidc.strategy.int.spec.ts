// The oidc strategy against a REAL OpenID Connect provider (oidc-provider from npm, in a child
// process, over HTTPS with its own CA): discovery, JWKS, id-tokens signed by the provider, and a
// key rotation while tokens signed by the old key are still presented.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  findSecrets,
  hs256WithPublicKey,
  nowSeconds,
  oidcClaims,
  rsaKeyPair,
  signJwt,
  startOidcProvider,
  tamperPayload,
  unsignedJwt,
  ecKeyPair,
  type TestOidcProvider,
  type TestKeyPair,
} from '@authtrail/testing';
import type { AuthOutcome, RequestView, Strategy } from '../strategy';
import { validateStrategyConfig } from '../registry';
import { firstMatch } from '../chain/first-match';
import { cached } from '../chain/cached';
import { createOidcStrategy, type OidcDeps } from './oidc.strategy';
import type { OidcConfig } from './oidc.config';

let provider: TestOidcProvider;
let signingKey: TestKeyPair;
let attackerKey: TestKeyPair;
let jkuServer: Server;
let jkuRequests = 0;
let jkuUrl: string;
const strategies: Strategy[] = [];

beforeAll(async () => {
  signingKey = rsaKeyPair({ kid: 'idp-2026-01' });
  attackerKey = rsaKeyPair({ kid: 'idp-2026-01' }); // same kid as the real key: only the signature differs
  provider = await startOidcProvider({ keys: [signingKey] });
  jkuServer = createServer((_req, res) => {
    jkuRequests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [attackerKey.publicJwk] }));
  });
  await new Promise<void>((resolve) => jkuServer.listen(0, '127.0.0.1', resolve));
  jkuUrl = `http://127.0.0.1:${(jkuServer.address() as AddressInfo).port}/keys`;
});

afterAll(async () => {
  await Promise.all(strategies.map((s) => s.close?.()));
  await provider?.stop();
  await new Promise((resolve) => jkuServer.close(resolve));
});

function configFor(idp: TestOidcProvider, overrides: Partial<OidcConfig> = {}): OidcConfig {
  return {
    id: 'oidc',
    issuer: { url: idp.issuer, audiences: [idp.clientId], ...(idp.ca ? { certificateAuthority: idp.ca } : {}) },
    claimMappings: { username: { claim: 'email', prefix: '' }, groups: { claim: 'groups', prefix: 'oidc:' }, uid: { claim: 'sub' } },
    ...overrides,
  };
}

async function strategy(config: OidcConfig, deps: OidcDeps = {}): Promise<Strategy> {
  const issues = validateStrategyConfig('oidc', config, 'authn.strategies[0]');
  if (issues.length > 0) throw new Error(JSON.stringify(issues));
  const created = await createOidcStrategy(config, { jwksCooldownMs: 0, discoveryRetryMs: 0, ...deps });
  strategies.push(created);
  return created;
}

function request(token: string | undefined, overrides: Partial<RequestView> = {}): RequestView {
  return {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    peerCertificates: [],
    sourceIp: '192.0.2.10',
    method: 'GET',
    path: '/',
    audiences: [],
    tls: true,
    ...overrides,
  };
}

const claims = (overrides: Record<string, unknown> = {}, options: Partial<Parameters<typeof oidcClaims>[0]> = {}) =>
  oidcClaims({ issuer: provider.issuer, audience: provider.clientId, ...options, overrides });

type Expectation = { kind: 'authenticated' } | { kind: 'abstained' } | { kind: 'rejected'; reason: string } | { kind: 'errored'; reason: string };

interface Case {
  readonly name: string;
  readonly token: () => Promise<string | undefined> | string | undefined;
  readonly config?: Partial<OidcConfig>;
  readonly view?: Partial<RequestView>;
  readonly deps?: OidcDeps;
  readonly expected: Expectation;
}

/** kube-apiserver's extended token lifetime, the default cap. */
const YEAR = 365 * 24 * 3600;
const HOUR_LATER = (): Date => new Date(Date.now() + 2 * 3600_000);
const HOUR_EARLIER = (): Date => new Date(Date.now() - 2 * 3600_000);

const cases: readonly Case[] = [
  { name: 'a request without credentials is not ours', token: () => undefined, expected: { kind: 'abstained' } },
  { name: 'an opaque bearer token is not ours', token: () => 'not-a-jwt-at-all', expected: { kind: 'abstained' } },
  {
    name: 'an id-token issued by the provider is authenticated',
    token: () => provider.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com', email_verified: true, groups: ['dev'] } }),
    expected: { kind: 'authenticated' },
  },
  {
    name: 'a token of another issuer abstains so another oidc strategy can decide',
    token: () => signJwt(oidcClaims({ issuer: 'https://other-idp.example.com', audience: provider.clientId }), signingKey),
    expected: { kind: 'abstained' },
  },
  {
    name: 'an expired id-token is rejected with token_expired',
    token: () => provider.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com', email_verified: true } }),
    deps: { now: HOUR_LATER },
    expected: { kind: 'rejected', reason: 'token_expired' },
  },
  {
    name: 'an id-token not valid yet is rejected with token_not_yet_valid',
    token: () => signJwt(claims({}, { notBeforeIn: 600 }), signingKey),
    expected: { kind: 'rejected', reason: 'token_not_yet_valid' },
  },
  {
    name: 'an id-token issued while the verifier clock lags is rejected with token_not_yet_valid when it carries nbf',
    token: () => signJwt(claims(), signingKey),
    deps: { now: HOUR_EARLIER },
    expected: { kind: 'rejected', reason: 'token_not_yet_valid' },
  },
  {
    name: 'an id-token issued ten minutes in the future (beyond the 15s clock skew) is rejected with token_not_yet_valid',
    token: () => signJwt(claims({ iat: nowSeconds() + 600, nbf: undefined }), signingKey),
    expected: { kind: 'rejected', reason: 'token_not_yet_valid' },
  },
  {
    name: 'an id-token living one year and a second is rejected with malformed_credentials under the default cap',
    token: () => signJwt(claims({ iat: nowSeconds(), exp: nowSeconds() + YEAR + 1 }), signingKey),
    expected: { kind: 'rejected', reason: 'malformed_credentials' },
  },
  {
    name: 'an id-token of two hours is rejected with malformed_credentials under a 1h cap',
    token: () => signJwt(claims({}, { expiresIn: 7200 }), signingKey),
    config: { maxTokenLifetime: '1h' },
    expected: { kind: 'rejected', reason: 'malformed_credentials' },
  },
  {
    name: 'an id-token with exp 1e300 is rejected with malformed_credentials',
    token: () => signJwt(claims({ exp: 1e300 }), signingKey),
    expected: { kind: 'rejected', reason: 'malformed_credentials' },
  },
  {
    name: 'an id-token for another client is rejected with audience_mismatch',
    token: () => signJwt(claims({ aud: 'someone-else' }), signingKey),
    expected: { kind: 'rejected', reason: 'audience_mismatch' },
  },
  {
    name: 'an id-token is rejected with audience_mismatch when the caller asks for another audience',
    token: () => provider.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com', email_verified: true } }),
    view: { audiences: ['vault'] },
    expected: { kind: 'rejected', reason: 'audience_mismatch' },
  },
  {
    name: 'an unverified email used as username is rejected with email_not_verified',
    token: () => provider.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com', email_verified: false } }),
    expected: { kind: 'rejected', reason: 'email_not_verified' },
  },
  {
    name: 'an email without email_verified is rejected with email_not_verified',
    token: () => provider.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com' } }),
    expected: { kind: 'rejected', reason: 'email_not_verified' },
  },
  {
    name: 'a token without the username claim is rejected with missing_claim',
    token: () => provider.issueIdToken({ sub: 'u-1' }),
    expected: { kind: 'rejected', reason: 'missing_claim' },
  },
  {
    name: 'a token failing a claim validation rule is rejected with missing_claim',
    token: () => provider.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com', email_verified: true, hd: 'evil.example' } }),
    config: { claimValidationRules: [{ claim: 'hd', requiredValue: 'example.com' }] },
    expected: { kind: 'rejected', reason: 'missing_claim' },
  },
  {
    name: 'a token passing the claim validation rule is authenticated',
    token: () => provider.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com', email_verified: true, hd: 'example.com' } }),
    config: { claimValidationRules: [{ claim: 'hd', requiredValue: 'example.com' }] },
    expected: { kind: 'authenticated' },
  },
  { name: 'alg none is rejected with unsupported_algorithm', token: () => unsignedJwt(claims()), expected: { kind: 'rejected', reason: 'unsupported_algorithm' } },
  {
    name: 'HS256 signed with the RSA public key is rejected with unsupported_algorithm',
    token: () => hs256WithPublicKey(claims(), signingKey),
    expected: { kind: 'rejected', reason: 'unsupported_algorithm' },
  },
  {
    name: 'an algorithm outside the allow-list is rejected with unsupported_algorithm',
    token: () => signJwt(claims(), signingKey, { header: { alg: 'PS256' } }),
    config: { algorithms: ['RS256'] },
    expected: { kind: 'rejected', reason: 'unsupported_algorithm' },
  },
  {
    name: 'an unknown kid is rejected with bad_signature',
    token: () => signJwt(claims(), rsaKeyPair({ kid: 'never-published' })),
    expected: { kind: 'rejected', reason: 'bad_signature' },
  },
  {
    name: 'a token signed by another key under the published kid is rejected with bad_signature',
    token: () => signJwt(claims(), attackerKey),
    expected: { kind: 'rejected', reason: 'bad_signature' },
  },
  {
    name: 'a jku header pointing at an attacker JWKS is never fetched and the token fails with bad_signature',
    token: () => signJwt(claims(), attackerKey, { header: { jku: jkuUrl, x5u: jkuUrl } }),
    expected: { kind: 'rejected', reason: 'bad_signature' },
  },
  {
    name: 'an embedded jwk header is not trusted and the token fails with bad_signature',
    token: () => signJwt(claims(), attackerKey, { header: { jwk: attackerKey.publicJwk } }),
    expected: { kind: 'rejected', reason: 'bad_signature' },
  },
  {
    name: 'a tampered payload of a provider-issued token is rejected with bad_signature',
    token: async () => tamperPayload(await provider.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com', email_verified: true } }), { email: 'admin@example.com' }),
    expected: { kind: 'rejected', reason: 'bad_signature' },
  },
  { name: 'a garbage JWT is rejected with malformed_credentials', token: () => 'eyJhbGciOiJSUzI1NiJ9.%%%.x', expected: { kind: 'rejected', reason: 'malformed_credentials' } },
  {
    name: 'an ES256 token is rejected with bad_signature when the provider publishes no EC key',
    token: () => signJwt(claims(), ecKeyPair({ kid: 'ec-x' })),
    expected: { kind: 'rejected', reason: 'bad_signature' },
  },
];

describe('oidc strategy against a real oidc-provider', () => {
  it.each(cases)('$name', async ({ token, config, view, deps, expected }) => {
    const subject = await strategy(configFor(provider, config), deps);
    const raw = await token();
    const outcome = await subject.authenticate(request(raw, view));
    expect(summary(outcome)).toEqual(expected);
    if (raw !== undefined) expect(findSecrets(printable(outcome), [raw])).toEqual([]);
  });

  it('never fetched the jku / x5u URL', () => {
    expect(jkuRequests).toBe(0);
  });

  it('maps claims with prefixes into the user and describes the credential', async () => {
    const subject = await strategy(
      configFor(provider, {
        claimMappings: {
          username: { claim: 'sub', prefix: 'idp:' },
          groups: { claim: 'groups', prefix: 'oidc:' },
          uid: { claim: 'sub' },
          extra: [{ key: 'example.com/tenant', claim: 'tenant' }],
        },
      }),
    );
    const token = await provider.issueIdToken({ sub: 'u-42', claims: { groups: ['dev', 'ops'], tenant: 'acme', jti: 'id-token-1' } });
    const outcome = await subject.authenticate(request(token));
    expect(outcome).toMatchObject({
      kind: 'authenticated',
      user: { username: 'idp:u-42', uid: 'u-42', groups: ['oidc:dev', 'oidc:ops'], extra: { 'example.com/tenant': ['acme'] } },
      credential: { type: 'oidc', publicId: 'id-token-1', issuer: provider.issuer, subject: 'u-42', audiences: [provider.clientId] },
      audiences: [provider.clientId],
    });
  });

  it('keeps accepting tokens of the old key during a rotation, picks up the new key, and drops the old key once it is unpublished', async () => {
    const subject = await strategy(configFor(provider));
    const identity = { sub: 'u-1', claims: { email: 'jane@example.com', email_verified: true } };
    const oldToken = await provider.issueIdToken(identity);
    expect((await subject.authenticate(request(oldToken))).kind).toBe('authenticated');

    const newKey = rsaKeyPair({ kid: 'idp-2026-02' });
    await provider.rotateKeys([newKey, signingKey]); // new key signs, old key still published
    const newToken = await provider.issueIdToken(identity);
    expect(JSON.parse(Buffer.from(newToken.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ kid: 'idp-2026-02' });
    expect((await subject.authenticate(request(newToken))).kind).toBe('authenticated');
    expect((await subject.authenticate(request(oldToken))).kind).toBe('authenticated');

    await provider.rotateKeys([newKey]); // old key removed from the JWKS
    // Any unknown kid makes the strategy refetch (cooldown 0 here); the old kid is then gone.
    await subject.authenticate(request(signJwt(claims(), rsaKeyPair({ kid: 'probe' }))));
    expect(summary(await subject.authenticate(request(oldToken)))).toEqual({ kind: 'rejected', reason: 'bad_signature' });
    expect((await subject.authenticate(request(newToken))).kind).toBe('authenticated');
    await provider.rotateKeys([signingKey]);
  });

  it('fetches discovery once and the JWKS only when a kid is unknown', async () => {
    const before = await provider.requestCounts();
    const subject = await strategy(configFor(provider), { jwksCooldownMs: 60_000 });
    const token = await provider.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com', email_verified: true } });
    for (let i = 0; i < 5; i++) expect((await subject.authenticate(request(token))).kind).toBe('authenticated');
    const after = await provider.requestCounts();
    expect((after['/.well-known/openid-configuration'] ?? 0) - (before['/.well-known/openid-configuration'] ?? 0)).toBe(1);
    expect((after['/jwks'] ?? 0) - (before['/jwks'] ?? 0)).toBe(1);
  });

  it('serves two issuers through two strategies, each abstaining on the other', async () => {
    const second = await startOidcProvider({ keys: [ecKeyPair({ kid: 'second-1' })] });
    try {
      const first = await strategy(configFor(provider));
      const other = await strategy(configFor(second, { claimMappings: { username: { claim: 'sub', prefix: 'second:' } } }));
      const fromSecond = await second.issueIdToken({ sub: 'bob' });
      expect(summary(await first.authenticate(request(fromSecond)))).toEqual({ kind: 'abstained' });
      expect(await other.authenticate(request(fromSecond))).toMatchObject({ kind: 'authenticated', user: { username: 'second:bob' } });
      // The same id twice in one chain: the first abstains, the second decides.
      const chain = firstMatch([first, other]);
      expect(await chain.authenticateWithTrace(request(fromSecond))).toMatchObject({
        outcome: { kind: 'authenticated', user: { username: 'second:bob' } },
        attempts: [
          { strategy: 'oidc', outcome: 'abstained' },
          { strategy: 'oidc', outcome: 'authenticated' },
        ],
      });
    } finally {
      await second.stop();
    }
  });

  it('errors with issuer_mismatch when the discovery document names another issuer', async () => {
    const second = await startOidcProvider({ tls: false });
    try {
      // Tokens claim `provider`, but discovery is read from `second`, which names itself.
      const subject = await strategy(configFor(provider, { issuer: { url: provider.issuer, audiences: [provider.clientId], discoveryURL: `${second.issuer}/.well-known/openid-configuration` } }));
      const outcome = await subject.authenticate(request(await provider.issueIdToken({ sub: 'u-1' })));
      expect(summary(outcome)).toEqual({ kind: 'errored', reason: 'issuer_mismatch' });
    } finally {
      await second.stop();
    }
  });

  it('errors (never rejects) when the issuer TLS certificate is not trusted', async () => {
    const subject = await strategy(configFor(provider, { issuer: { url: provider.issuer, audiences: [provider.clientId] } }));
    const outcome = await subject.authenticate(request(await provider.issueIdToken({ sub: 'u-1' })));
    expect(summary(outcome)).toEqual({ kind: 'errored', reason: 'upstream_unavailable' });
  });
});

describe('oidc strategy when the issuer is unreachable', () => {
  it('errors with upstream_unavailable when discovery cannot be reached, and when the JWKS goes away', async () => {
    const idp = await startOidcProvider();
    const subject = await strategy(configFor(idp));
    const token = await idp.issueIdToken({ sub: 'u-1', claims: { email: 'jane@example.com', email_verified: true } });
    expect((await subject.authenticate(request(token))).kind).toBe('authenticated');
    await idp.stop();
    // A new kid forces a JWKS refetch, which now fails: could not decide, not a bad token.
    const unknownKid = signJwt(oidcClaims({ issuer: idp.issuer, audience: idp.clientId }), rsaKeyPair({ kid: 'rotated-in' }));
    const outcome = await subject.authenticate(request(unknownKid));
    expect(summary(outcome)).toEqual({ kind: 'errored', reason: 'upstream_unavailable' });
    expect(findSecrets(printable(outcome), [unknownKid])).toEqual([]);

    const fresh = await strategy(configFor(idp));
    expect(summary(await fresh.authenticate(request(token)))).toEqual({ kind: 'errored', reason: 'upstream_unavailable' });

    // The cache decorator must not remember "could not decide": every request asks again.
    const memo = cached(await strategy(configFor(idp)), { successTTLms: 60_000, failureTTLms: 60_000 });
    for (let i = 0; i < 3; i++) expect(summary(await memo.authenticate(request(token)))).toEqual({ kind: 'errored', reason: 'upstream_unavailable' });
    expect(memo.stats()).toMatchObject({ hits: 0, misses: 3, size: 0 });
  });
});

function summary(outcome: AuthOutcome): Expectation {
  switch (outcome.kind) {
    case 'authenticated':
    case 'abstained':
      return { kind: outcome.kind };
    case 'rejected':
    case 'errored':
      return { kind: outcome.kind, reason: outcome.reason };
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}

/** The outcome as it could be logged: everything except the fingerprint input the contract carries. */
function printable(outcome: AuthOutcome): string {
  return JSON.stringify(outcome, (key, value: unknown) => (key === 'secretForFingerprint' ? undefined : value));
}
