// The traffic most query tests assert against, sent through the production path
// (traffic.fixture.ts): one request per minute from T0, each with what it means written next to
// it, so expected values in tests are read off the requests, never off what the code returned.
//
//   minute  request                                                                 decision
//   0–4     alice, basic auth, via a trusted gateway (/v1/authenticate), from 10.0.0.1     allow
//   5–6     alice, wrong password, same gateway, from 10.0.0.9                            deny invalid_password
//   7–9     bob, static token, nginx forward-auth with X-Forwarded-* from 10.0.1.5        allow (policy: static-token warn)
//   10–13   kube-system:ci service-account JWT, /v1/authenticate, 10.244.1.2 ×2, 10.244.2.3 ×2   allow
//   14–19   a leaked unknown bearer token, forward-auth straight from 192.168.1.50        deny unknown_token
//   20–22   a guessed unknown bearer token, straight from 192.168.1.51                    deny unknown_token
//   23      bootstrap token abcdef, expired the day before, from 10.0.0.1                 deny bootstrap_token_expired
//   24      no credentials, forward-auth straight from 2001:db8::1                        deny no_credentials
//   25–26   basic auth for a name that is no account (a password typed as the username),
//           from 203.0.113.7; the second with a NUL and a bidi override in its user agent   deny invalid_password
//   27      alice again, but the gateway says the hop was plain HTTP, from 10.0.0.1        deny policy_denied (basic-auth requireTls)
//
// Then, as an admin's mutations would: policy version 2, a revocation of the leaked token, a
// revocation by JWT id that was lifted. Secrets and keys are random per run.
import { createSign, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { scryptPhc } from '@authtrail/strategies';
import type { PlannedRequest, TrafficPlan } from '@authtrail/testing';
import { createTrafficEnvironment, fillReadModel, type TrafficEnvironment } from './traffic.fixture';

export const T0 = new Date('2026-11-28T10:00:00.000Z');
/** "now" of the API under test: 2 h after T0. */
export const NOW = new Date('2026-11-28T12:00:00.000Z');
export const minute = (m: number): Date => new Date(T0.getTime() + m * 60_000);

export const SA = 'system:serviceaccount:kube-system:ci';
export const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const SA_JTI = 'jti-ci-1';
/** The service-account token expires one hour after NOW. */
export const SA_EXPIRES = new Date(NOW.getTime() + 3_600_000);
export const BOOTSTRAP_ID = 'abcdef';
export const POLICY_V1 = 'strategies:\n  static-token: { mode: warn }\n  basic-auth: { requireTls: true }\n';
export const POLICY_V2 = 'strategies:\n  static-token: { mode: warn }\n  basic-auth: { requireTls: true }\n  bootstrap-token: { requireExpiration: true }\n';
export const STATIC_TOKEN_WARNING = { rule: 'strategies.static-token.mode', effect: 'warn', message: 'static tokens never expire and cannot be rotated without a restart' };

/** The gateway request of alice, the service account and the bootstrap token (POST /v1/authenticate from the trusted 127.0.0.1). */
export const GATEWAY = { method: 'GET', path: '/api/v1/namespaces/dev/pods', userAgent: 'kubectl/v1.31.0 (linux/amd64)', tls: true } as const;
/** A user agent a caller of /v1/authenticate may send: a NUL and a right-to-left override (each becomes U+FFFD). */
export const HOSTILE_USER_AGENT = 'kubectl\u0000\u202Eexe.gpj';

/** What nginx forwards for bob (forward-auth from the trusted 127.0.0.1). */
export const NGINX = { method: 'POST', uri: '/apis/apps/v1/namespaces/ops/deployments', query: '?fieldManager=helm', userAgent: 'Helm/3.16.2', clientIp: '10.0.1.5' } as const;

/** The user agent of the requests sent straight to forward-auth. */
export const CURL = 'curl/8.5.0';

export const COUNTS = {
  total: 28,
  allow: 12,
  deny: 16,
  /** 5 successes + 2 wrong passwords (the name is an account: kept in clear) + 1 refused by policy. */
  alice: 8,
  /** bob 3 + leaked 6 + guessed 3. */
  staticToken: 12,
  from192_168_1: 9,
  leaked: 6,
  /** Password guesses for the name that is no account. */
  typed: 2,
  forwardAuth: 3 + 6 + 3 + 1,
} as const;

export interface StandardSecrets {
  readonly alicePassword: string;
  readonly bobToken: string;
  readonly ciJwt: string;
  readonly leakedToken: string;
  readonly guessedToken: string;
  readonly bootstrapToken: string;
  /** Typed into the username field of basic auth; matches no account, so it must never be stored. */
  readonly typedName: string;
}

export interface StandardDataset {
  readonly environment: TrafficEnvironment;
  readonly secrets: StandardSecrets;
  /** Fingerprints of the credentials, computed here from the secrets with authn's key. */
  readonly FP: { readonly alice: string; readonly bob: string; readonly ci: string; readonly leaked: string; readonly guess: string; readonly bootstrap: string };
  /** Decision ids in request order (minute 0 … 27). */
  readonly ids: readonly string[];
  readonly statuses: readonly number[];
  close(): void;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const alnum = (length: number) => Array.from(randomBytes(length), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

/** An RS256 bound service-account token as kube-apiserver issues them (signed here with node:crypto). */
function serviceAccountJwt(privateKey: ReturnType<typeof generateKeyPairSync>['privateKey']): string {
  const claims = {
    iss: SA_ISSUER,
    aud: [SA_ISSUER],
    sub: SA,
    iat: Math.floor(T0.getTime() / 1000) - 300,
    nbf: Math.floor(T0.getTime() / 1000) - 300,
    exp: Math.floor(SA_EXPIRES.getTime() / 1000),
    jti: SA_JTI,
    'kubernetes.io': { namespace: 'kube-system', serviceaccount: { name: 'ci', uid: randomUUID() } },
  };
  const input = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

function standardRequests(s: StandardSecrets): PlannedRequest[] {
  const gateway = (m: number, authorization: string, sourceIp: string, tls: boolean = GATEWAY.tls, userAgent: string = GATEWAY.userAgent): PlannedRequest => ({
    time: minute(m).toISOString(),
    method: 'POST',
    url: '/v1/authenticate',
    body: { headers: { authorization }, sourceIp, method: GATEWAY.method.toLowerCase(), path: GATEWAY.path, userAgent, tls },
  });
  const direct = (m: number, remoteAddress: string, authorization?: string): PlannedRequest => ({
    time: minute(m).toISOString(),
    method: 'GET',
    url: '/v1/forward-auth',
    remoteAddress,
    headers: { 'user-agent': CURL, ...(authorization ? { authorization } : {}) },
  });
  const nginx = (m: number): PlannedRequest => ({
    time: minute(m).toISOString(),
    method: 'GET',
    url: '/v1/forward-auth',
    headers: {
      authorization: `Bearer ${s.bobToken}`,
      'x-forwarded-for': NGINX.clientIp,
      'x-forwarded-method': NGINX.method,
      'x-forwarded-uri': `${NGINX.uri}${NGINX.query}`,
      'x-forwarded-proto': 'https',
      'user-agent': NGINX.userAgent,
    },
  });
  const m = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
  return [
    ...m(0, 5).map((i) => gateway(i, basic('alice', s.alicePassword), '10.0.0.1')),
    ...m(5, 2).map((i) => gateway(i, basic('alice', `${s.alicePassword}-wrong`), '10.0.0.9')),
    ...m(7, 3).map(nginx),
    ...['10.244.1.2', '10.244.1.2', '10.244.2.3', '10.244.2.3'].map((ip, i) => gateway(10 + i, `Bearer ${s.ciJwt}`, ip)),
    ...m(14, 6).map((i) => direct(i, '192.168.1.50', `Bearer ${s.leakedToken}`)),
    ...m(20, 3).map((i) => direct(i, '192.168.1.51', `Bearer ${s.guessedToken}`)),
    gateway(23, `Bearer ${s.bootstrapToken}`, '10.0.0.1'),
    direct(24, '2001:db8::1'),
    gateway(25, basic(s.typedName, alnum(12)), '203.0.113.7'),
    gateway(26, basic(s.typedName, alnum(12)), '203.0.113.7', true, HOSTILE_USER_AGENT),
    gateway(27, basic('alice', s.alicePassword), '10.0.0.1', false),
  ];
}

/** Writes the files, sends the standard traffic into `databaseUrl`, and returns what tests need. */
export async function loadStandardDataset(databaseUrl: string): Promise<StandardDataset> {
  const environment = createTrafficEnvironment();
  try {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const secrets: StandardSecrets = {
      alicePassword: randomBytes(12).toString('base64url'),
      bobToken: randomBytes(24).toString('base64url'),
      ciJwt: serviceAccountJwt(privateKey),
      leakedToken: randomBytes(24).toString('base64url'),
      guessedToken: randomBytes(24).toString('base64url'),
      bootstrapToken: `${BOOTSTRAP_ID}.${alnum(16)}`,
      typedName: `Pa55-${randomBytes(9).toString('base64url')}`,
    };
    const e = environment;
    const tokens = e.file('tokens.csv', `${secrets.bobToken},bob,uid-bob,"ops"\n`);
    const users = e.file('users.csv', `"${await scryptPhc(secrets.alicePassword, { ln: 10 })}",alice,uid-alice,"dev"\n`);
    const bootstrap = e.file(
      'bootstrap.yaml',
      [
        'apiVersion: v1',
        'kind: Secret',
        `metadata: { name: bootstrap-token-${BOOTSTRAP_ID}, namespace: kube-system }`,
        'type: bootstrap.kubernetes.io/token',
        'stringData:',
        `  token-id: "${BOOTSTRAP_ID}"`,
        `  token-secret: "${secrets.bootstrapToken.split('.')[1]}"`,
        '  expiration: "2026-11-27T00:00:00Z"',
        '  usage-bootstrap-authentication: "true"',
      ].join('\n') + '\n',
    );
    const saKey = e.file('sa.pub', publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const policy = e.file('policy.yaml', POLICY_V1);
    const configFile = e.writeConfig(
      [
        `{ id: static-token, tokenFile: ${JSON.stringify(tokens)} }`,
        `{ id: bootstrap-token, secretsFile: ${JSON.stringify(bootstrap)} }`,
        `{ id: basic-auth, passwordFile: ${JSON.stringify(users)} }`,
        `{ id: service-account, issuers: [${JSON.stringify(SA_ISSUER)}], keyFiles: [${JSON.stringify(saKey)}] }`,
      ],
      [`policy: { file: ${JSON.stringify(policy)} }`],
    );
    const fp = (secret: string) => environment.fingerprinter.fingerprint(secret);
    const FP = {
      // basic-auth fingerprints `user:password` (libs/strategies basic-auth).
      alice: fp(`alice:${secrets.alicePassword}`),
      bob: fp(secrets.bobToken),
      ci: fp(secrets.ciJwt),
      leaked: fp(secrets.leakedToken),
      guess: fp(secrets.guessedToken),
      bootstrap: fp(secrets.bootstrapToken),
    };
    const plan: TrafficPlan = {
      configFile,
      boots: [{ requests: standardRequests(secrets) }],
      control: [
        { time: minute(30).toISOString(), type: 'policy-applied', data: { version: 2, document: POLICY_V2, appliedBy: 'ada', comment: 'bootstrap tokens must expire' } },
        { time: minute(31).toISOString(), type: 'credential-revoked', data: { revocationId: 'r-1', fingerprint: FP.leaked, reason: 'leaked', revokedBy: 'ada' } },
        { time: minute(32).toISOString(), type: 'credential-revoked', data: { revocationId: 'r-2', jti: 'jti-9', reason: 'test', revokedBy: 'ada' } },
        { time: minute(33).toISOString(), type: 'revocation-lifted', data: { revocationId: 'r-2', liftedBy: 'ada' } },
      ],
    };
    const result = await fillReadModel(databaseUrl, plan, environment);
    const responses = result.boots.flat();
    return {
      environment,
      secrets,
      FP,
      ids: responses.map((r) => r.decisionId ?? ''),
      statuses: responses.map((r) => r.status),
      close: () => environment.close(),
    };
  } catch (error) {
    environment.close();
    throw error;
  }
}
