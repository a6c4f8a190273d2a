import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  boundServiceAccountClaims,
  ecKeyPair,
  findSecrets,
  hs256WithPublicKey,
  jwksOf,
  legacyServiceAccountClaims,
  nowSeconds,
  rsaKeyPair,
  selfSignedCertificate,
  signJwt,
  tamperPayload,
  unsignedJwt,
  type Claims,
  type TestKeyPair,
} from '@authtrail/testing';
import type { AuthOutcome, RequestView, Strategy } from '../strategy';
import { createServiceAccountStrategy } from './service-account.strategy';
import { validateStrategyConfig } from '../registry';
import type { ServiceAccountConfig } from './service-account.config';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
const ACCOUNT_UID = '6f1b2c3d-0000-4000-8000-000000000001';
/** kube-apiserver's extended token lifetime (ExpirationExtensionSeconds), the default cap. */
const YEAR = 365 * 24 * 3600;

let dir: string;
let clusterKey: TestKeyPair; // RSA, from a PEM public key file
let ecKey: TestKeyPair; // EC P-256, from a JWKS file
let certKey: TestKeyPair; // RSA, from a certificate file
let attackerKey: TestKeyPair;
let jkuServer: Server;
let jkuRequests = 0;
let jkuUrl: string;
const cleanups: Strategy[] = [];

function request(token?: string, overrides: Partial<RequestView> = {}): RequestView {
  return {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    peerCertificates: [],
    sourceIp: '10.244.1.7',
    method: 'GET',
    path: '/api',
    audiences: [],
    tls: true,
    ...overrides,
  };
}

async function strategy(overrides: Partial<ServiceAccountConfig> = {}): Promise<Strategy> {
  const config = stripUndefined({
    id: 'service-account' as const,
    issuers: [ISSUER],
    keyFiles: [join(dir, 'sa.pub'), join(dir, 'sa.crt')],
    jwksFile: join(dir, 'jwks.json'),
    reloadIntervalMs: 100,
    ...overrides,
  });
  const issues = validateStrategyConfig('service-account', config, 'authn.strategies[0]');
  if (issues.length > 0) throw new Error(JSON.stringify(issues));
  const created = await createServiceAccountStrategy(config);
  cleanups.push(created);
  return created;
}

const bound = (overrides: Claims = {}, extra: Partial<Parameters<typeof boundServiceAccountClaims>[0]> = {}): Claims =>
  boundServiceAccountClaims({ issuer: ISSUER, audiences: [AUDIENCE], uid: ACCOUNT_UID, jti: 'jti-1', ...extra, overrides });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authtrail-sa-'));
  clusterKey = rsaKeyPair();
  ecKey = ecKeyPair({ kid: 'ec-1' });
  certKey = rsaKeyPair();
  attackerKey = rsaKeyPair();
  await writeFile(join(dir, 'sa.pub'), clusterKey.publicPem);
  await writeFile(join(dir, 'sa.crt'), selfSignedCertificate(certKey, { commonName: 'service-account-signer' }));
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwksOf(ecKey)));
  await writeFile(join(dir, 'accounts.yaml'), `- { namespace: default, name: builder, uid: ${ACCOUNT_UID} }\n`);
  // A server that would hand out the attacker's key: the strategy must never ask it.
  jkuServer = createServer((_req, res) => {
    jkuRequests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwksOf(attackerKey)));
  });
  await new Promise<void>((resolve) => jkuServer.listen(0, '127.0.0.1', resolve));
  jkuUrl = `http://127.0.0.1:${(jkuServer.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  await Promise.all(cleanups.map((s) => s.close?.()));
  await new Promise((resolve) => jkuServer.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

type Expectation = { kind: 'authenticated' } | { kind: 'abstained' } | { kind: 'rejected'; reason: string } | { kind: 'errored'; reason: string };

interface Case {
  readonly name: string;
  readonly token: () => string | undefined;
  readonly view?: Partial<RequestView>;
  readonly config?: Partial<ServiceAccountConfig>;
  readonly expected: Expectation;
}

const cases: readonly Case[] = [
  { name: 'a request without credentials is not ours', token: () => undefined, expected: { kind: 'abstained' } },
  { name: 'an opaque static token is not ours', token: () => '31ada4fd-adec-460c-809a-9e56ceb75269', expected: { kind: 'abstained' } },
  { name: 'a bootstrap token is not ours', token: () => '07401b.f395accd246ae52d', expected: { kind: 'abstained' } },
  {
    name: 'a JWT of another issuer without service-account claims abstains so another strategy can decide',
    token: () => signJwt({ iss: 'https://idp.example.com', sub: 'jane', aud: 'x', exp: 9999999999 }, attackerKey),
    expected: { kind: 'abstained' },
  },
  { name: 'a valid bound token signed by the PEM key is authenticated', token: () => signJwt(bound(), clusterKey), expected: { kind: 'authenticated' } },
  { name: 'a valid bound token signed by the certificate key is authenticated', token: () => signJwt(bound(), certKey), expected: { kind: 'authenticated' } },
  { name: 'a valid ES256 bound token signed by the JWKS key is authenticated', token: () => signJwt(bound(), ecKey), expected: { kind: 'authenticated' } },
  {
    name: 'a legacy Secret token is refused with issuer_mismatch by default',
    token: () => signJwt(legacyServiceAccountClaims({ uid: ACCOUNT_UID }), clusterKey, { header: { kid: undefined } }),
    expected: { kind: 'rejected', reason: 'issuer_mismatch' },
  },
  {
    name: 'a legacy Secret token is authenticated when legacy tokens are opted in',
    token: () => signJwt(legacyServiceAccountClaims({ uid: ACCOUNT_UID }), clusterKey, { header: { kid: undefined } }),
    config: { acceptLegacyTokens: true },
    expected: { kind: 'authenticated' },
  },
  {
    name: 'a legacy token is refused with issuer_mismatch when legacy tokens are off explicitly',
    token: () => signJwt(legacyServiceAccountClaims({ uid: ACCOUNT_UID }), clusterKey),
    config: { acceptLegacyTokens: false },
    expected: { kind: 'rejected', reason: 'issuer_mismatch' },
  },
  {
    name: 'an opted-in legacy token issued in the future beyond the leeway is rejected with token_not_yet_valid',
    token: () => signJwt({ ...legacyServiceAccountClaims({ uid: ACCOUNT_UID }), iat: nowSeconds() + 600 }, clusterKey),
    config: { acceptLegacyTokens: true },
    expected: { kind: 'rejected', reason: 'token_not_yet_valid' },
  },
  {
    name: 'a bound token living exactly one year (kube extended expiration) is authenticated by default',
    token: () => signJwt(bound({ iat: nowSeconds(), exp: nowSeconds() + YEAR }), clusterKey),
    expected: { kind: 'authenticated' },
  },
  {
    name: 'a bound token living one year and a second is rejected with malformed_credentials by default',
    token: () => signJwt(bound({ iat: nowSeconds(), exp: nowSeconds() + YEAR + 1 }), clusterKey),
    expected: { kind: 'rejected', reason: 'malformed_credentials' },
  },
  {
    name: 'a bound token of three hours is rejected with malformed_credentials under a 2h lifetime cap',
    token: () => signJwt(bound({}, { expiresIn: 3 * 3600 }), clusterKey),
    config: { maxTokenLifetime: '2h' },
    expected: { kind: 'rejected', reason: 'malformed_credentials' },
  },
  { name: 'a bound token of one hour is authenticated under a 2h lifetime cap', token: () => signJwt(bound(), clusterKey), config: { maxTokenLifetime: '2h' }, expected: { kind: 'authenticated' } },
  {
    name: 'a bound token without iat whose exp is more than a year away is rejected with malformed_credentials',
    token: () => signJwt(bound({ iat: undefined, exp: nowSeconds() + 2 * YEAR }), clusterKey),
    expected: { kind: 'rejected', reason: 'malformed_credentials' },
  },
  { name: 'a bound token with exp 1e300 is rejected with malformed_credentials', token: () => signJwt(bound({ exp: 1e300 }), clusterKey), expected: { kind: 'rejected', reason: 'malformed_credentials' } },
  { name: 'a bound token with iat 1e300 is rejected with malformed_credentials', token: () => signJwt(bound({ iat: 1e300 }), clusterKey), expected: { kind: 'rejected', reason: 'malformed_credentials' } },
  { name: 'a bound token with a string exp is rejected with malformed_credentials', token: () => signJwt(bound({ exp: 'never' }), clusterKey), expected: { kind: 'rejected', reason: 'malformed_credentials' } },
  {
    name: 'a bound token issued ten minutes in the future is rejected with token_not_yet_valid',
    token: () => signJwt(bound({ iat: nowSeconds() + 600, nbf: undefined }), clusterKey),
    expected: { kind: 'rejected', reason: 'token_not_yet_valid' },
  },
  {
    name: 'a bound token issued within the leeway in the future is authenticated',
    token: () => signJwt(bound({ iat: nowSeconds() + 30, nbf: undefined }), clusterKey),
    expected: { kind: 'authenticated' },
  },
  {
    name: 'a service-account token of another cluster is rejected with issuer_mismatch',
    token: () => signJwt(bound({ iss: 'https://other-cluster.example.com' }), clusterKey),
    expected: { kind: 'rejected', reason: 'issuer_mismatch' },
  },
  { name: 'an expired token is rejected with token_expired', token: () => signJwt(bound({}, { expiresIn: -600 }), clusterKey), expected: { kind: 'rejected', reason: 'token_expired' } },
  { name: 'a token expired within the leeway is still accepted', token: () => signJwt(bound({}, { expiresIn: -10 }), clusterKey), expected: { kind: 'authenticated' } },
  {
    name: 'a token not valid yet is rejected with token_not_yet_valid',
    token: () => signJwt(bound({}, { notBeforeIn: 600 }), clusterKey),
    expected: { kind: 'rejected', reason: 'token_not_yet_valid' },
  },
  { name: 'a bound token without exp is rejected with missing_claim', token: () => signJwt(bound({ exp: undefined }), clusterKey), expected: { kind: 'rejected', reason: 'missing_claim' } },
  { name: 'a token for another audience is rejected with audience_mismatch', token: () => signJwt(bound({ aud: ['vault'] }), clusterKey), expected: { kind: 'rejected', reason: 'audience_mismatch' } },
  {
    name: 'a token whose audience is among the requested audiences is authenticated',
    token: () => signJwt(bound({ aud: ['vault', AUDIENCE] }), clusterKey),
    view: { audiences: ['vault'] },
    expected: { kind: 'authenticated' },
  },
  {
    name: 'a token for the service audience is rejected when the caller asks for another audience',
    token: () => signJwt(bound(), clusterKey),
    view: { audiences: ['vault'] },
    expected: { kind: 'rejected', reason: 'audience_mismatch' },
  },
  { name: 'alg none is rejected with unsupported_algorithm', token: () => unsignedJwt(bound()), expected: { kind: 'rejected', reason: 'unsupported_algorithm' } },
  {
    name: 'HS256 signed with the RSA public key is rejected with unsupported_algorithm',
    token: () => hs256WithPublicKey(bound(), clusterKey),
    expected: { kind: 'rejected', reason: 'unsupported_algorithm' },
  },
  {
    name: 'an algorithm outside the configured allow-list is rejected with unsupported_algorithm',
    token: () => signJwt(bound(), ecKey),
    config: { algorithms: ['RS256'], jwksFile: undefined },
    expected: { kind: 'rejected', reason: 'unsupported_algorithm' },
  },
  { name: 'an unknown kid signed by a foreign key is rejected with bad_signature', token: () => signJwt(bound(), attackerKey, { header: { kid: 'nobody' } }), expected: { kind: 'rejected', reason: 'bad_signature' } },
  {
    name: 'a jku header pointing at an attacker JWKS is never fetched and the token fails with bad_signature',
    token: () => signJwt(bound(), attackerKey, { header: { jku: jkuUrl, x5u: jkuUrl } }),
    expected: { kind: 'rejected', reason: 'bad_signature' },
  },
  {
    name: 'an embedded jwk header is not trusted and the token fails with bad_signature',
    token: () => signJwt(bound(), attackerKey, { header: { jwk: attackerKey.publicJwk } }),
    expected: { kind: 'rejected', reason: 'bad_signature' },
  },
  {
    name: 'a tampered payload is rejected with bad_signature',
    token: () => tamperPayload(signJwt(bound(), clusterKey), { 'kubernetes.io': { namespace: 'kube-system', serviceaccount: { name: 'admin', uid: ACCOUNT_UID } }, sub: 'system:serviceaccount:kube-system:admin' }),
    expected: { kind: 'rejected', reason: 'bad_signature' },
  },
  { name: 'a garbage JWT is rejected with malformed_credentials', token: () => 'eyJhbGciOiJSUzI1NiJ9.@@@.sig', expected: { kind: 'rejected', reason: 'malformed_credentials' } },
  { name: 'a JWT whose header is not JSON is rejected with malformed_credentials', token: () => 'eyJub3QganNvbg.eyJ9.c2ln', expected: { kind: 'rejected', reason: 'malformed_credentials' } },
  { name: 'a bearer token with inner whitespace is rejected with malformed_credentials', token: () => 'eyJ a.b', expected: { kind: 'rejected', reason: 'malformed_credentials' } },
  {
    name: 'a token of our issuer without the kubernetes.io claim is rejected with missing_claim',
    token: () => signJwt(bound({ 'kubernetes.io': undefined }), clusterKey),
    expected: { kind: 'rejected', reason: 'missing_claim' },
  },
  {
    name: 'a token whose sub names another account is rejected with missing_claim',
    token: () => signJwt(bound({ sub: 'system:serviceaccount:kube-system:admin' }), clusterKey),
    expected: { kind: 'rejected', reason: 'missing_claim' },
  },
  {
    name: 'an account listed in the registry with the same uid is authenticated',
    token: () => signJwt(bound(), clusterKey),
    config: { serviceAccountsFile: 'accounts.yaml' },
    expected: { kind: 'authenticated' },
  },
  {
    name: 'an account missing from the registry is rejected with service_account_unknown',
    token: () => signJwt(bound({}, { name: 'ghost' }), clusterKey),
    config: { serviceAccountsFile: 'accounts.yaml' },
    expected: { kind: 'rejected', reason: 'service_account_unknown' },
  },
  {
    name: 'a re-created account (uid mismatch) is rejected with service_account_unknown',
    token: () => signJwt(bound({}, { uid: '00000000-dead-4000-8000-000000000000' }), clusterKey),
    config: { serviceAccountsFile: 'accounts.yaml' },
    expected: { kind: 'rejected', reason: 'service_account_unknown' },
  },
];

describe('service-account strategy', () => {
  const presented: string[] = [];

  it.each(cases)('$name', async ({ token, view, config, expected }) => {
    const resolvedConfig = config?.serviceAccountsFile ? { ...config, serviceAccountsFile: join(dir, config.serviceAccountsFile) } : config;
    const subject = await strategy(resolvedConfig ?? {});
    const raw = token();
    if (raw !== undefined) presented.push(raw);
    const outcome = await subject.authenticate(request(raw, view));
    expect(summary(outcome)).toEqual(expected);
    if (raw !== undefined) expect(findSecrets(printable(outcome), [raw])).toEqual([]);
  });

  it('never fetched the jku / x5u URL', () => {
    expect(jkuRequests).toBe(0);
  });

  it('describes the bound identity the way kube-apiserver does', async () => {
    const subject = await strategy();
    const claims = bound({}, { pod: { name: 'builder-7d9f', uid: 'pod-uid-1' }, node: { name: 'node-1', uid: 'node-uid-1' } });
    const token = signJwt(claims, clusterKey);
    const outcome = await subject.authenticate(request(token));
    expect(outcome).toEqual({
      kind: 'authenticated',
      user: {
        username: 'system:serviceaccount:default:builder',
        uid: ACCOUNT_UID,
        groups: ['system:serviceaccounts', 'system:serviceaccounts:default'],
        extra: {
          'authentication.kubernetes.io/pod-name': ['builder-7d9f'],
          'authentication.kubernetes.io/pod-uid': ['pod-uid-1'],
          'authentication.kubernetes.io/node-name': ['node-1'],
          'authentication.kubernetes.io/node-uid': ['node-uid-1'],
          'authentication.kubernetes.io/credential-id': ['JTI=jti-1'],
        },
      },
      credential: {
        type: 'service-account',
        secretForFingerprint: token,
        publicId: 'jti-1',
        issuer: ISSUER,
        subject: 'system:serviceaccount:default:builder',
        audiences: [AUDIENCE],
        issuedAt: new Date((claims['iat'] as number) * 1000),
        expiresAt: new Date((claims['exp'] as number) * 1000),
      },
      audiences: [AUDIENCE],
    });
  });

  it('gives an opted-in legacy token the implicit service audiences and no pod extras', async () => {
    const subject = await strategy({ acceptLegacyTokens: true });
    const outcome = await subject.authenticate(request(signJwt(legacyServiceAccountClaims({ namespace: 'ci', name: 'deployer', uid: 'u-9' }), clusterKey)));
    expect(outcome.kind === 'authenticated' && outcome.user).toEqual({
      username: 'system:serviceaccount:ci:deployer',
      uid: 'u-9',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ci'],
      extra: {},
    });
    expect(outcome.kind === 'authenticated' && outcome.audiences).toEqual([AUDIENCE]);
    // The credential names the audiences granted, not the token's (it has none).
    expect(outcome.kind === 'authenticated' && outcome.credential.audiences).toEqual([AUDIENCE]);
  });

  it('marks an accepted legacy token on its credential (policy records a warning for it), and no bound token', async () => {
    const subject = await strategy({ acceptLegacyTokens: true });
    const legacy = await subject.authenticate(request(signJwt(legacyServiceAccountClaims({ uid: ACCOUNT_UID }), clusterKey)));
    const boundOutcome = await subject.authenticate(request(signJwt(bound(), clusterKey)));
    expect(legacy.kind === 'authenticated' && legacy.credential.legacyToken).toBe(true);
    expect(boundOutcome.kind === 'authenticated' && boundOutcome.credential.legacyToken).toBeUndefined();
  });

  it('refuses a legacy token by default with a message that names the opt-in', async () => {
    const subject = await strategy();
    const outcome = await subject.authenticate(request(signJwt(legacyServiceAccountClaims({ uid: ACCOUNT_UID }), clusterKey)));
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'issuer_mismatch', message: expect.stringContaining('acceptLegacyTokens') });
  });

  it('a rejection for exp 1e300 describes the credential without an expiry (no Invalid Date reaches the event)', async () => {
    const subject = await strategy();
    const outcome = await subject.authenticate(request(signJwt(bound({ exp: 1e300 }), clusterKey)));
    expect(outcome.kind === 'rejected' && outcome.credential).toMatchObject({ type: 'service-account', publicId: 'jti-1' });
    expect(outcome.kind === 'rejected' && outcome.credential?.expiresAt).toBeUndefined();
  });

  it('records the claimed subject and the credential on a rejection', async () => {
    const subject = await strategy();
    const outcome = await subject.authenticate(request(signJwt(bound({}, { expiresIn: -600 }), clusterKey)));
    expect(outcome).toMatchObject({ kind: 'rejected', claimedUsername: 'system:serviceaccount:default:builder', credential: { type: 'service-account', publicId: 'jti-1' } });
  });

  it('rejects an account removed from the registry file without a restart', async () => {
    const file = join(dir, 'accounts-live.yaml');
    await writeFile(file, `- { namespace: default, name: builder, uid: ${ACCOUNT_UID} }\n`);
    const subject = await strategy({ serviceAccountsFile: file });
    const token = signJwt(bound(), clusterKey);
    expect((await subject.authenticate(request(token))).kind).toBe('authenticated');
    await writeFile(file, `- { namespace: default, name: someone-else, uid: x }\n`);
    let outcome: AuthOutcome = { kind: 'abstained' };
    for (let i = 0; i < 100 && outcome.kind !== 'rejected'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcome = await subject.authenticate(request(token));
    }
    expect(summary(outcome)).toEqual({ kind: 'rejected', reason: 'service_account_unknown' });
  });
});

describe('service-account strategy on arbitrary input', () => {
  it('never throws and never authenticates random or JWT-shaped garbage', async () => {
    const subject = await strategy();
    const segment = fc.oneof(fc.string({ maxLength: 60 }), fc.json().map((j) => Buffer.from(j).toString('base64url')));
    const token = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.tuple(segment, segment, segment).map(([h, p, sig]) => `eyJ${h}.${p}.${sig}`),
      fc.record({ alg: fc.constantFrom('RS256', 'ES256', 'none', 'HS256', 'PS512', 'x'), kid: fc.string() }).map(
        (header) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(bound())).toString('base64url')}.c2ln`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(token, async (raw) => {
        const outcome = await subject.authenticate(request(undefined, { headers: { authorization: `Bearer ${raw}` } }));
        return outcome.kind === 'abstained' || outcome.kind === 'rejected';
      }),
      { numRuns: 300 },
    );
  });
});

describe('service-account strategy with a JWKS URL', () => {
  it('verifies tokens with keys served by the cluster, and errors (not rejects) when the JWKS is unreachable', async () => {
    const key = rsaKeyPair({ kid: 'served-1' });
    let served = 0;
    const server = createServer((_req, res) => {
      served++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwksOf(key)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openid/v1/jwks`;
    const subject = await strategy({ keyFiles: undefined, jwksFile: undefined, jwksUrl: url } as Partial<ServiceAccountConfig>);
    const token = signJwt(bound(), key);
    expect((await subject.authenticate(request(token))).kind).toBe('authenticated');
    expect((await subject.authenticate(request(token))).kind).toBe('authenticated');
    expect(served).toBe(1); // imported once, then cached
    await new Promise((resolve) => server.close(resolve));

    const down = await strategy({ keyFiles: undefined, jwksFile: undefined, jwksUrl: url } as Partial<ServiceAccountConfig>);
    const outcome = await down.authenticate(request(token));
    expect(summary(outcome)).toEqual({ kind: 'errored', reason: 'upstream_unavailable' });
    expect(findSecrets(printable(outcome), [token])).toEqual([]);
  });
});

describe('service-account strategy startup', () => {
  it.each([
    ['a key file with garbage PEM fails startup naming the file', 'bad.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /bad\.pem/],
    ['a key file without any PEM block fails startup', 'empty.pem', 'hello', /no PEM key/],
    ['an RSA key below 2048 bits fails startup', 'small.pem', () => rsaKeyPair({ bits: 1024 }).publicPem, /at least 2048/],
  ])('%s', async (_name, file, content, message) => {
    await writeFile(join(dir, file), typeof content === 'function' ? content() : content);
    await expect(strategy({ keyFiles: [join(dir, file)], jwksFile: undefined } as Partial<ServiceAccountConfig>)).rejects.toThrow(message);
  });

  it('a missing key file fails startup without any key material in the message', async () => {
    await expect(strategy({ keyFiles: [join(dir, 'missing.pem')] })).rejects.toThrow(/cannot read .*missing\.pem \(ENOENT\)/);
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

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
