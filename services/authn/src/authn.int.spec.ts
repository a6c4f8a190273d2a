// The listening service against the real things: real Kafka (events consumed back), the real
// strategies from libs/strategies, @kubernetes/client-node for TokenReview, certificates made by
// the openssl CLI for mTLS, and a real OIDC provider.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@authtrail/config';
import { createKafkaBus } from '@authtrail/event-bus';
import { TOPICS, type DecisionEvent } from '@authtrail/events';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import {
  boundServiceAccountClaims,
  bootstrapSecretsYaml,
  containsSecret,
  mintBootstrapToken,
  rsaKeyPair,
  signJwt,
  startOidcProvider,
  tamperPayload,
  testKafkaBrokers,
  type TestOidcProvider,
} from '@authtrail/testing';
import { createLogger } from './observability/logger';
import { startAuthn, type RunningAuthn } from './start-authn';

const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const STATIC_TOKEN = `st-${randomBytes(12).toString('hex')}`;
const FINGERPRINT_KEY = randomBytes(32).toString('base64');
const instance = `authn-it-${randomBytes(4).toString('hex')}`;

let dir: string;
let oidc: TestOidcProvider;
let running: RunningAuthn;
let bus: ReturnType<typeof createKafkaBus>;
const secrets: string[] = [STATIC_TOKEN, FINGERPRINT_KEY];
/** Every request this file makes, to compare with the events consumed back. */
const sent: { decisionId?: string; endpoint: string }[] = [];

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

function makePki(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=authtrail test client CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=jane/O=devs/O=ops');
  writeFileSync(join(dir, 'client.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1', '-extfile', 'client.ext');
  openssl('req', '-x509', ...ec, '-keyout', 'rogue.key', '-out', 'rogue.crt', '-subj', '/CN=mallory/O=system:masters', '-days', '1', '-addext', 'extendedKeyUsage=clientAuth');
  openssl('req', '-x509', ...ec, '-keyout', 'server.key', '-out', 'server.crt', '-subj', '/CN=127.0.0.1', '-days', '1', '-addext', 'subjectAltName=IP:127.0.0.1');
  for (const key of ['ca.key', 'client.key', 'rogue.key', 'server.key']) secrets.push(readFileSync(join(dir, key), 'utf8').split('\n').slice(1, -2).join(''));
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(options: { url: string; method?: string; headers?: Record<string, string>; body?: string; localAddress?: string; cert?: string; key?: string }): Promise<Answer> {
  const url = new URL(options.url);
  const isHttps = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (isHttps ? httpsRequest : httpRequest)(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...(isHttps ? { rejectUnauthorized: true, ca: readFileSync(join(dir, 'server.crt')), servername: undefined, ...(options.cert ? { cert: options.cert, key: options.key } : {}) } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const decisionId = res.headers['x-authtrail-decision-id'];
          sent.push({ endpoint: url.pathname, ...(typeof decisionId === 'string' ? { decisionId } : {}) });
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** @kubernetes/client-node is ESM-only: it runs in a child process (testdata/token-review-client.mjs). */
function tokenReviews(reviews: { token: string; audiences?: string[] }[]): Promise<Array<{ status?: { authenticated?: boolean; user?: { username?: string; groups?: string[]; extra?: Record<string, string[]> }; audiences?: string[]; error?: string }; error?: string }>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'testdata/token-review-client.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`token-review-client exited ${code}: ${err.slice(0, 500)}`));
      for (const _ of reviews) sent.push({ endpoint: '/apis/authentication.k8s.io/v1/tokenreviews' });
      resolve(JSON.parse(out));
    });
    child.stdin.end(JSON.stringify({ server: running.http.url, reviews }));
  });
}

async function consumeOwnEvents(): Promise<DecisionEvent[]> {
  await bus.publisher.flush(10_000);
  const events: DecisionEvent[] = [];
  const raws: Buffer[] = [];
  await bus.subscriber.readToEnd(TOPICS.decisions, (record) => {
    if (!record.value) return;
    const event = JSON.parse(record.value.toString('utf8')) as DecisionEvent;
    if (event.data?.instance === instance) {
      events.push(event);
      raws.push(record.value);
    }
  });
  for (const raw of raws) expect(containsSecret(raw, secrets)).toBe(false);
  return events;
}

const saKey = rsaKeyPair({ alg: 'RS256' });
const otherKey = rsaKeyPair({ alg: 'RS256' });
const bootstrap = mintBootstrapToken({ expiration: new Date(Date.now() + 3_600_000), extraGroups: ['system:bootstrappers:workers'] });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authn-it-'));
  makePki();
  oidc = await startOidcProvider();
  secrets.push(bootstrap.token, bootstrap.secret);
  writeFileSync(join(dir, 'tokens.csv'), `${STATIC_TOKEN},alice,uid-alice,"admins,devs"\n`);
  writeFileSync(join(dir, 'bootstrap.yaml'), bootstrapSecretsYaml([bootstrap.manifest]));
  writeFileSync(join(dir, 'sa.pub'), saKey.publicPem);
  writeFileSync(join(dir, 'oidc-ca.pem'), oidc.ca ?? '');
  writeFileSync(
    join(dir, 'authtrail.yaml'),
    [
      'dataDir: ./data',
      'authn:',
      '  http: { port: 0, host: 127.0.0.1 }',
      '  https: { port: 0, host: 127.0.0.1, certFile: server.crt, keyFile: server.key, clientCAFile: ca.crt }',
      '  trustedProxies: [127.0.0.2/32]',
      '  clientCertificateProxies: [127.0.0.2/32]',
      '  cache: { successTTL: 10s, failureTTL: 0s }',
      '  strategies:',
      '    - { id: static-token, tokenFile: tokens.csv }',
      '    - { id: bootstrap-token, secretsFile: bootstrap.yaml }',
      '    - { id: x509, clientCAFile: ca.crt }',
      `    - { id: service-account, issuers: ["${SA_ISSUER}"], keyFiles: [sa.pub], audiences: ["${SA_ISSUER}"] }`,
      `    - { id: oidc, issuer: { url: "${oidc.issuer}", audiences: ["${oidc.clientId}"], certificateAuthorityFile: oidc-ca.pem }, claimMappings: { username: { claim: email, prefix: "" }, groups: { claim: groups, prefix: "oidc:" } } }`,
      'events: { mode: buffered }',
      'log: { level: warn }',
    ].join('\n'),
  );
  const config = loadConfig({
    argv: ['--config', join(dir, 'authtrail.yaml')],
    env: { KAFKA_BROKERS: testKafkaBrokers().join(','), AUTHTRAIL_FINGERPRINT_KEY: `it:${FINGERPRINT_KEY}`, AUTHTRAIL_INSTANCE: instance },
    validateStrategy: validateStrategyConfig,
  });
  bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: instance, mode: 'buffered', spoolDir: join(dir, 'spool'), topics: { [TOPICS.decisions]: { partitions: 3 } } });
  running = await startAuthn(config, { publisher: bus.publisher, logger: createLogger('silent'), registry: { createStrategy } });
}, 60_000);

afterAll(async () => {
  await running?.close();
  await bus?.close();
  await oidc?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('authn service, listening, with real strategies and Kafka', () => {
  it('TokenReview through @kubernetes/client-node: static, bootstrap, service-account and OIDC tokens, valid and invalid', async () => {
    const saToken = signJwt(boundServiceAccountClaims({ issuer: SA_ISSUER, audiences: [SA_ISSUER], namespace: 'ci', name: 'builder' }), saKey);
    const saForged = signJwt(boundServiceAccountClaims({ issuer: SA_ISSUER, audiences: [SA_ISSUER], namespace: 'ci', name: 'builder' }), otherKey);
    const idToken = await oidc.issueIdToken({ sub: 'jane', claims: { email: 'jane@example.com', email_verified: true, groups: ['devs'] } });
    const idTampered = tamperPayload(idToken, { email: 'mallory@example.com' });
    const wrongBootstrap = `${bootstrap.id}.${'0'.repeat(16)}`;
    secrets.push(saToken, saForged, idToken, idTampered, wrongBootstrap, 'unknown-static-token-0000');

    const answers = await tokenReviews([
      { token: STATIC_TOKEN },
      { token: bootstrap.token },
      { token: saToken },
      { token: idToken },
      { token: 'unknown-static-token-0000' },
      { token: wrongBootstrap },
      { token: saForged },
      { token: idTampered },
    ]);
    expect(answers.map((a) => a.error)).toEqual(Array(8).fill(undefined));
    const [st, bt, sa, id, ...invalid] = answers.map((a) => a.status);
    expect(st).toMatchObject({ authenticated: true, user: { username: 'alice', groups: ['admins', 'devs', 'system:authenticated'] } });
    expect(bt).toMatchObject({ authenticated: true, user: { username: `system:bootstrap:${bootstrap.id}` } });
    expect(bt?.user?.groups).toEqual(expect.arrayContaining(['system:bootstrappers', 'system:bootstrappers:workers', 'system:authenticated']));
    expect(sa).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:ci:builder' } });
    expect(sa?.user?.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated']));
    expect(id).toMatchObject({ authenticated: true, user: { username: 'jane@example.com', groups: ['oidc:devs', 'system:authenticated'] } });
    for (const answer of invalid) {
      expect(answer?.authenticated).toBe(false);
      // Definitive refusals: no status.error, so kube-apiserver may cache them.
      expect(answer?.error).toBeUndefined();
      expect(answer?.user).toBeUndefined();
    }
  });

  it('mTLS: an openssl-made client certificate on the HTTPS listener authenticates; one from another CA does not; bearer clients need none', async () => {
    const url = `${running.https?.url ?? 'https://missing'}/v1/forward-auth`;
    const good = await call({ url, cert: readFileSync(join(dir, 'client.crt'), 'utf8'), key: readFileSync(join(dir, 'client.key'), 'utf8') });
    expect(good.status).toBe(200);
    expect(good.headers['x-remote-user']).toBe('jane');
    // Node's client joins repeated headers with ", ".
    expect(String(good.headers['x-remote-group']).split(', ')).toEqual(expect.arrayContaining(['devs', 'ops', 'system:authenticated']));
    const rogue = await call({ url, cert: readFileSync(join(dir, 'rogue.crt'), 'utf8'), key: readFileSync(join(dir, 'rogue.key'), 'utf8') });
    expect(rogue.status).toBe(401);
    const bearer = await call({ url, headers: { authorization: `Bearer ${STATIC_TOKEN}` } });
    expect(bearer.status).toBe(200);
    expect(bearer.headers['x-remote-user']).toBe('alice');
  });

  it('forward-auth: a trusted proxy hands over the client certificate and address; the same headers from an untrusted address are ignored', async () => {
    const pem = readFileSync(join(dir, 'client.crt'), 'utf8');
    const forged = { 'ssl-client-cert': encodeURIComponent(pem), 'x-forwarded-for': '203.0.113.50', 'x-forwarded-uri': '/app/page', 'x-forwarded-method': 'POST', 'x-forwarded-proto': 'https' };
    const url = `${running.http.url}/v1/forward-auth`;
    const viaProxy = await call({ url, headers: forged, localAddress: '127.0.0.2' });
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.headers['x-remote-user']).toBe('jane');
    const direct = await call({ url, headers: forged, localAddress: '127.0.0.1' });
    expect(direct.status).toBe(401);
    expect(direct.headers['www-authenticate']).toBe('Bearer realm="authtrail"');
    const xfcc = await call({ url, headers: { 'x-forwarded-client-cert': `Hash=abc;Cert="${encodeURIComponent(pem)}"` }, localAddress: '127.0.0.2' });
    expect(xfcc.status).toBe(200);
    const bad = await call({ url, method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: '{', localAddress: '127.0.0.1' });
    expect(bad.status).toBe(401);
    const authenticate = await call({ url: `${running.http.url}/v1/authenticate`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"headers": ' });
    expect(authenticate.status).toBe(400);

    const events = await consumeOwnEvents();
    const byId = new Map(events.map((e) => [e.id, e]));
    const eventOf = (a: Answer) => byId.get(String(a.headers['x-authtrail-decision-id']));
    expect(eventOf(viaProxy)?.data).toMatchObject({ decision: 'allow', reason: 'ok', strategy: 'x509', request: { endpoint: 'forward-auth', sourceIp: '203.0.113.50', forwardedFor: ['203.0.113.50'], method: 'POST', path: '/app/page', tls: true } });
    expect(eventOf(viaProxy)?.data.credential).toMatchObject({ type: 'x509' });
    expect(eventOf(direct)?.data).toMatchObject({ decision: 'deny', httpStatus: 401, reason: 'no_credentials', request: { sourceIp: '127.0.0.1', method: 'GET', path: '/v1/forward-auth', tls: false } });
    expect(eventOf(direct)?.data.attempts.every((a) => a.outcome === 'abstained')).toBe(true);
    expect(eventOf(authenticate)?.data).toMatchObject({ decision: 'deny', httpStatus: 400, reason: 'bad_request', attempts: [], request: { endpoint: 'authenticate' } });
  });

  it('an oversized header block is refused by the HTTP parser (431) and the service keeps answering', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ hostname: '127.0.0.1', port: running.http.port, path: '/v1/forward-auth', headers: { 'x-filler': 'a'.repeat(20_000) }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
    const health = await fetch(`${running.http.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('every request made above left exactly one decision event on Kafka, with the right outcome and no raw secret', async () => {
    const events = await consumeOwnEvents();
    expect(events).toHaveLength(sent.length);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const { decisionId } of sent.filter((s) => s.decisionId)) expect(events.some((e) => e.id === decisionId)).toBe(true);
    const sequences = events.map((e) => e.data.sequence).sort((a, b) => a - b);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));

    const reviews = events.filter((e) => e.data.request.endpoint === 'tokenreview');
    expect(reviews).toHaveLength(8);
    const summary = reviews.map((e) => `${e.data.decision}:${e.data.strategy}:${e.data.reason}`).sort();
    expect(summary).toEqual(
      [
        'allow:static-token:ok',
        'allow:bootstrap-token:ok',
        'allow:service-account:ok',
        'allow:oidc:ok',
        'deny:static-token:unknown_token',
        // firstMatch: the first rejection in config order decides (static-token rejects any
        // opaque bearer token it does not know, so it also decides the wrong bootstrap token);
        // JWTs are left to the JWT strategies. The attempts show the rest.
        'deny:static-token:unknown_token',
        'deny:service-account:bad_signature',
        'deny:oidc:bad_signature',
      ].sort(),
    );
    const attemptsOf = (e: DecisionEvent, id: string) => e.data.attempts.find((a) => a.strategy === id);
    const denied = reviews.filter((e) => e.data.decision === 'deny');
    expect(denied.some((e) => attemptsOf(e, 'bootstrap-token')?.outcome === 'rejected')).toBe(true);
    expect(denied.some((e) => attemptsOf(e, 'service-account')?.reason === 'bad_signature')).toBe(true);
    expect(denied.some((e) => attemptsOf(e, 'oidc')?.reason === 'bad_signature')).toBe(true);
    for (const e of reviews) {
      expect(e.data.credential?.fingerprint ?? '').toMatch(/^hmac-sha256:it:[0-9a-f]{64}$/);
      expect(e.data.latencyMicros).toEqual(expect.any(Number));
    }
  });
});
