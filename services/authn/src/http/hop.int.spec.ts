// The client certificate over authn's real HTTPS listener (issues #16, #17): read from the socket
// once per TLS connection of a listener that requests certificates, never on plain HTTP or on a
// listener that does not request them. It is the x509 strategy's credential on forward-auth, and
// the recorded caller (`request.caller`) of a TokenReview, whose user comes only from the token.
// Counted on the server side: every `getPeerCertificate` call on a socket whose local port is the
// listener's.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { loadConfig } from '@authtrail/config';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import type { DecisionEvent } from '@authtrail/events';
import { destroyCa, mintCa, mintClientCert, type TestCa, type TestCert } from '@authtrail/testing';
import { ALICE_TOKEN, recordingPublisher, testApp, type RecordingPublisher } from '../app.fixture';
import { createLogger } from '../observability/logger';
import { startAuthn, type RunningAuthn } from '../start-authn';

const STATIC_TOKEN = `st-${randomBytes(12).toString('hex')}`;

let dir: string;
let ca: TestCa;
let server: TestCert;
let jane: TestCert;
let john: TestCert;
/** A certificate of a CA the listener does not know (its `clientCAFile` is ca.crt). */
let strangerCa: TestCa;
let stranger: TestCert;
const running: RunningAuthn[] = [];

/** Server-side certificate reads per listener port. */
const fetches = new Map<number, number>();
const originalGetPeerCertificate = TLSSocket.prototype.getPeerCertificate;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authn-hop-'));
  ca = mintCa({ cn: 'authtrail hop test CA' });
  server = mintClientCert(ca, { cn: '127.0.0.1', eku: 'serverAuth' });
  jane = mintClientCert(ca, { cn: 'jane', orgs: ['devs'] });
  john = mintClientCert(ca, { cn: 'john', orgs: ['ops'] });
  strangerCa = mintCa({ cn: 'somebody else CA' });
  stranger = mintClientCert(strangerCa, { cn: 'kube-apiserver', orgs: ['system:masters'] });
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  writeFileSync(join(dir, 'server.crt'), server.certPem);
  writeFileSync(join(dir, 'server.key'), server.keyPem);
  writeFileSync(join(dir, 'tokens.csv'), `${STATIC_TOKEN},alice,uid-alice,"admins"\n`);
  jest.spyOn(TLSSocket.prototype, 'getPeerCertificate').mockImplementation(function (this: TLSSocket, detailed?: boolean) {
    const port = this.localPort ?? 0;
    fetches.set(port, (fetches.get(port) ?? 0) + 1);
    return originalGetPeerCertificate.call(this, detailed as true);
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  await Promise.all(running.map((r) => r.close()));
  if (ca) destroyCa(ca);
  if (strangerCa) destroyCa(strangerCa);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Service {
  readonly running: RunningAuthn;
  readonly publisher: RecordingPublisher;
}

/** authn as start-authn runs it: HTTP, and HTTPS with client certificates requested. */
async function startService(name: string, strategies: readonly string[]): Promise<Service> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `dataDir: ./data-${name}`,
      'authn:',
      '  http: { port: 0, host: 127.0.0.1 }',
      '  https: { port: 0, host: 127.0.0.1, certFile: server.crt, keyFile: server.key, clientCAFile: ca.crt }',
      // No outcome cache: the strategy itself decides every request.
      '  cache: { successTTL: 0s, failureTTL: 0s }',
      '  strategies:',
      ...strategies.map((s) => `    - ${s}`),
      'log: { level: warn }',
    ].join('\n'),
  );
  const config = loadConfig({
    argv: ['--config', file],
    env: { AUTHTRAIL_FINGERPRINT_KEY: `hop:${randomBytes(32).toString('base64')}`, AUTHTRAIL_INSTANCE: `authn-hop-${name}` },
    validateStrategy: validateStrategyConfig,
  });
  const publisher = recordingPublisher();
  const service = await startAuthn(config, { publisher, logger: createLogger('silent'), registry: { createStrategy } });
  running.push(service);
  return { running: service, publisher };
}

interface Answer {
  readonly status: number;
  readonly user: string | undefined;
  /** The request went over a connection an earlier request had opened. */
  readonly reused: boolean;
}

function agentFor(client?: TestCert, extra: { maxVersion?: 'TLSv1.2' } = {}): Agent {
  return new Agent({
    keepAlive: true,
    maxSockets: 1,
    ca: ca.certPem,
    // The test server certificate names 127.0.0.1 in its CN only.
    checkServerIdentity: () => undefined,
    ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
    ...extra,
  });
}

function forwardAuth(url: string, agent: Agent, headers: Record<string, string> = {}): Promise<Answer> {
  const target = new URL('/v1/forward-auth', url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: target.hostname, port: target.port, path: target.pathname, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        const user = res.headers['x-remote-user'];
        resolve({ status: res.statusCode ?? 0, user: typeof user === 'string' ? user : undefined, reused: req.reusedSocket });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

interface Review {
  readonly status: number;
  readonly authenticated: boolean | undefined;
  readonly username: string | undefined;
  readonly decisionId: string;
  readonly reused: boolean;
}

/** A v1 TokenReview as kube-apiserver's webhook sends it; over HTTPS with `agent`, else plain HTTP. */
function tokenReview(url: string, token: string, agent?: Agent): Promise<Review> {
  const target = new URL('/apis/authentication.k8s.io/v1/tokenreviews', url);
  const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
  const options = { hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json' } };
  return new Promise((resolve, reject) => {
    const req = (agent ? request({ ...options, agent }, onResponse) : httpRequest({ ...options, agent: false }, onResponse));
    function onResponse(res: import('node:http').IncomingMessage) {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: { authenticated?: boolean; user?: { username?: string } } };
        resolve({
          status: res.statusCode ?? 0,
          authenticated: answer.status?.authenticated,
          username: answer.status?.user?.username,
          decisionId: String(res.headers['x-authtrail-decision-id']),
          reused: req.reusedSocket,
        });
      });
    }
    req.on('error', reject);
    req.end(body);
  });
}

async function inSequence(n: number, send: () => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < n; i++) answers.push(await send());
  return answers;
}

const portOf = (url: string) => Number(new URL(url).port);
const fetchesOn = (url: string) => fetches.get(portOf(url)) ?? 0;

describe('the client certificate on authn’s HTTPS listener', () => {
  let withX509: RunningAuthn;
  let withoutX509: RunningAuthn;

  beforeAll(async () => {
    withX509 = (await startService('x509', ['{ id: x509, clientCAFile: ca.crt }'])).running;
    withoutX509 = (await startService('tokens', ['{ id: static-token, tokenFile: tokens.csv }'])).running;
  }, 30_000);

  it('N requests over one kept-alive mTLS connection: the x509 strategy authenticates each, the certificate is read from the socket once', async () => {
    const url = withX509.https?.url ?? 'https://missing';
    const before = fetchesOn(url);
    const agent = agentFor(jane);
    const answers = await inSequence(6, () => forwardAuth(url, agent));
    agent.destroy();
    expect(answers.map((a) => [a.status, a.user])).toEqual(Array(6).fill([200, 'jane']));
    expect(answers.map((a) => a.reused)).toEqual([false, true, true, true, true, true]);
    expect(fetchesOn(url) - before).toBe(1);
  });

  it('two connections with two certificates: one read each, and each connection keeps its own identity', async () => {
    const url = withX509.https?.url ?? 'https://missing';
    const before = fetchesOn(url);
    const janes = agentFor(jane);
    const johns = agentFor(john);
    const answers: Array<[string, Answer]> = [];
    for (let i = 0; i < 3; i++) {
      answers.push(['jane', await forwardAuth(url, janes)], ['john', await forwardAuth(url, johns)]);
    }
    janes.destroy();
    johns.destroy();
    for (const [who, answer] of answers) expect([answer.status, answer.user]).toEqual([200, who]);
    expect(fetchesOn(url) - before).toBe(2);
  });

  it('a connection without a certificate is looked at once too (it finds none: the x509 strategy abstains on each request)', async () => {
    const url = withX509.https?.url ?? 'https://missing';
    const before = fetchesOn(url);
    const agent = agentFor();
    const answers = await inSequence(3, () => forwardAuth(url, agent));
    agent.destroy();
    expect(answers.map((a) => [a.status, a.user, a.reused])).toEqual([[401, undefined, false], [401, undefined, true], [401, undefined, true]]);
    expect(fetchesOn(url) - before).toBe(1);
  });

  it('on an mTLS connection the certificate cannot be swapped by renegotiation: the server refuses it and closes the connection', async () => {
    const url = withX509.https?.url ?? 'https://missing';
    const agent = agentFor(jane, { maxVersion: 'TLSv1.2' });
    const target = new URL('/v1/forward-auth', url);
    const socket = await new Promise<TLSSocket>((resolve, reject) => {
      const req = request({ hostname: target.hostname, port: target.port, path: target.pathname, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(req.socket as TLSSocket));
      });
      req.on('error', reject);
      req.end();
    });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('close', () => resolve('closed'));
      socket.on('error', () => undefined);
      const started = socket.renegotiate({ rejectUnauthorized: false }, (error) => resolve(error ? 'closed' : 'renegotiated'));
      if (!started) resolve('not started');
    });
    agent.destroy();
    expect(outcome).toBe('closed');
    // The listener goes on serving.
    const fresh = agentFor(jane);
    expect(await forwardAuth(url, fresh)).toMatchObject({ status: 200, user: 'jane' });
    fresh.destroy();
  });

  it('no x509 strategy: the certificate is still read once per connection (the caller is recorded), and it authenticates nobody; bearer tokens work', async () => {
    const url = withoutX509.https?.url ?? 'https://missing';
    const before = fetchesOn(url);
    const agent = agentFor(jane);
    const answers = await inSequence(3, () => forwardAuth(url, agent, { authorization: `Bearer ${STATIC_TOKEN}` }));
    const certificateOnly = await forwardAuth(url, agent);
    agent.destroy();
    const second = agentFor(jane);
    const again = await forwardAuth(url, second, { authorization: `Bearer ${STATIC_TOKEN}` });
    second.destroy();
    expect([...answers, again].map((a) => [a.status, a.user])).toEqual(Array(4).fill([200, 'alice']));
    expect(certificateOnly.status).toBe(401);
    expect(fetchesOn(url) - before).toBe(2);
  });
});

describe('the caller of a TokenReview (issue #17): the connection’s certificate, recorded on the decision, never the user', () => {
  let tokensOnly: Service;
  let alsoX509: Service;

  beforeAll(async () => {
    tokensOnly = await startService('caller-tokens', ['{ id: static-token, tokenFile: tokens.csv }']);
    alsoX509 = await startService('caller-x509', ['{ id: static-token, tokenFile: tokens.csv }', '{ id: x509, clientCAFile: ca.crt }']);
  }, 30_000);

  const eventOf = (service: Service, review: Review): DecisionEvent => {
    const event = service.publisher.events().find((e) => e.id === review.decisionId);
    if (!event) throw new Error(`no event ${review.decisionId}`);
    return event;
  };
  /** What the listener must record about `cert`: the subject and issuer it was minted with (O before CN), its serial, the SHA-256 of its DER. */
  const certificateOf = (cert: TestCert, subject: string, issuer: string, verified: boolean) => ({
    subject,
    issuer,
    serial: cert.serial,
    sha256: createHash('sha256').update(Buffer.from(cert.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).digest('hex'),
    verified,
  });

  it('no x509 strategy: N TokenReviews over one mTLS connection each record the caller’s certificate, read once; the user is the token’s', async () => {
    const url = tokensOnly.running.https?.url ?? 'https://missing';
    const before = fetchesOn(url);
    const agent = agentFor(jane);
    const reviews: Review[] = [];
    for (let i = 0; i < 4; i++) reviews.push(await tokenReview(url, STATIC_TOKEN, agent));
    agent.destroy();
    expect(reviews.map((r) => [r.status, r.authenticated, r.username, r.reused])).toEqual([[200, true, 'alice', false], ...Array(3).fill([200, true, 'alice', true])]);
    expect(fetchesOn(url) - before).toBe(1);
    for (const review of reviews) {
      const data = eventOf(tokensOnly, review).data;
      expect(data.user?.username).toBe('alice');
      expect(data.request).toMatchObject({ endpoint: 'tokenreview', tls: true, sourceIp: '127.0.0.1', caller: { certificate: certificateOf(jane, 'O=devs, CN=jane', 'CN=authtrail hop test CA', true) } });
      expect(data.request.caller?.proxies).toBeUndefined();
    }
  });

  it('with an x509 strategy that would accept the certificate: the token alone decides — alice for her token, nobody for an unknown one', async () => {
    const url = alsoX509.running.https?.url ?? 'https://missing';
    const agent = agentFor(jane);
    const known = await tokenReview(url, STATIC_TOKEN, agent);
    const unknown = await tokenReview(url, 'not-a-known-token-000', agent);
    // The same certificate on forward-auth is a credential: it authenticates jane.
    const asCredential = await forwardAuth(url, agent);
    agent.destroy();
    expect([known.authenticated, known.username]).toEqual([true, 'alice']);
    expect([unknown.authenticated, unknown.username]).toEqual([false, undefined]);
    expect([asCredential.status, asCredential.user]).toEqual([200, 'jane']);
    const knownData = eventOf(alsoX509, known).data;
    const unknownData = eventOf(alsoX509, unknown).data;
    expect([knownData.decision, knownData.user?.username, knownData.strategy]).toEqual(['allow', 'alice', 'static-token']);
    expect([unknownData.decision, unknownData.user, unknownData.reason]).toEqual(['deny', undefined, 'unknown_token']);
    expect(unknownData.attempts.map((a) => [a.strategy, a.outcome])).toEqual([['static-token', 'rejected'], ['x509', 'abstained']]);
    for (const data of [knownData, unknownData]) expect(data.request.caller).toEqual({ certificate: certificateOf(jane, 'O=devs, CN=jane', 'CN=authtrail hop test CA', true) });
  });

  it('a certificate from a CA the listener does not know is recorded as unverified: its subject is only claimed', async () => {
    const url = tokensOnly.running.https?.url ?? 'https://missing';
    const agent = agentFor(stranger);
    const review = await tokenReview(url, STATIC_TOKEN, agent);
    agent.destroy();
    expect(review.username).toBe('alice');
    expect(eventOf(tokensOnly, review).data.request.caller).toEqual({ certificate: certificateOf(stranger, 'O=system:masters, CN=kube-apiserver', 'CN=somebody else CA', false) });
  });

  it('plain HTTP and an HTTPS client without a certificate record no caller certificate', async () => {
    const overHttp = await tokenReview(tokensOnly.running.http.url, STATIC_TOKEN);
    const agent = agentFor();
    const withoutCertificate = await tokenReview(tokensOnly.running.https?.url ?? 'https://missing', STATIC_TOKEN, agent);
    agent.destroy();
    for (const review of [overHttp, withoutCertificate]) {
      expect(review.username).toBe('alice');
      expect(eventOf(tokensOnly, review).data.request.caller).toBeUndefined();
    }
    expect(eventOf(tokensOnly, overHttp).data.request.tls).toBe(false);
  });
});

describe('an HTTPS listener that does not request client certificates', () => {
  let tls: HttpsServer;
  let url: string;
  let closeApp: () => Promise<void>;
  let events: RecordingPublisher;

  beforeAll(async () => {
    // The fixture chain has a certificate strategy (x509 reading the leaf's CN), so only the listener's settings keep it from reading.
    const { app, publisher } = testApp();
    events = publisher;
    await app.ready();
    tls = app.createHttpsServer({ cert: server.certPem, key: server.keyPem, minVersion: 'TLSv1.2' });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', () => resolve()));
    url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    closeApp = async () => {
      await new Promise<void>((resolve) => {
        tls.close(() => resolve());
        tls.closeAllConnections();
      });
      await app.close();
    };
  });
  afterAll(() => closeApp?.());

  it('never reads a certificate from the socket, and bearer requests over HTTPS are answered', async () => {
    const agent = agentFor(jane);
    const answers = await inSequence(3, () => forwardAuth(url, agent, { authorization: `Bearer ${ALICE_TOKEN}` }));
    const certificateOnly = await forwardAuth(url, agent);
    agent.destroy();
    expect(answers.map((a) => [a.status, a.user])).toEqual(Array(3).fill([200, 'alice']));
    expect(certificateOnly.status).toBe(401);
    expect(fetchesOn(url)).toBe(0);
  });

  it('a TokenReview over it records no caller certificate, and reads none', async () => {
    const agent = agentFor(jane);
    const review = await tokenReview(url, ALICE_TOKEN, agent);
    agent.destroy();
    expect([review.status, review.username]).toEqual([200, 'alice']);
    expect(events.events().find((e) => e.id === review.decisionId)?.data.request).toMatchObject({ endpoint: 'tokenreview', tls: true });
    expect(events.events().find((e) => e.id === review.decisionId)?.data.request.caller).toBeUndefined();
    expect(fetchesOn(url)).toBe(0);
  });

  it('the same app and client on a listener that requests certificates: read once, and the certificate authenticates', async () => {
    const { app } = testApp();
    await app.ready();
    const requesting = app.createHttpsServer({ cert: server.certPem, key: server.keyPem, minVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: false });
    await new Promise<void>((resolve) => requesting.listen(0, '127.0.0.1', () => resolve()));
    const requestingUrl = `https://127.0.0.1:${(requesting.address() as AddressInfo).port}`;
    try {
      const agent = agentFor(jane);
      const answers = await inSequence(3, () => forwardAuth(requestingUrl, agent));
      agent.destroy();
      expect(answers.map((a) => [a.status, a.user])).toEqual(Array(3).fill([200, 'jane']));
      expect(fetchesOn(requestingUrl)).toBe(1);
    } finally {
      await new Promise<void>((resolve) => {
        requesting.close(() => resolve());
        requesting.closeAllConnections();
      });
      await app.close();
    }
  });
});
