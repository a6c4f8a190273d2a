// The caller of a webhook call (issue #17), through the production path, every part as its own
// process: TokenReviews sent to the real authn service (@kubernetes/client-node over mTLS as
// kube-apiserver sends them; plain HTTP; through two chained trusted proxies) → a private Kafka
// broker → the projector → Postgres → this API (main.ts). GraphQL must show who called — the
// client certificate's subject, or the proxy chain — while the decision's user stays the token's.
// The caller's certificate is issued by the CA the x509 strategy trusts: were it ever taken for a
// credential, it would authenticate as kube-apiserver-webhook-client.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  destroyCa,
  freePort,
  mintCa,
  mintClientCert,
  spawnService,
  startKafkaBroker,
  waitFor as waitUntil,
  type RunningKafkaBroker,
  type SpawnedService,
  type TestCa,
  type TestCert,
} from '@authtrail/testing';

const ROOT = join(__dirname, '../../..');
const secret = () => randomBytes(18).toString('base64url');
const TOKENS = { alice: secret(), viewer: secret(), unknown: secret() };
/** The API server's webhook client certificate: the subject it is minted with (O before CN). */
const CALLER_SUBJECT = 'O=kube-master, CN=kube-apiserver-webhook-client';
const CLUSTER_CA = 'cluster CA';
/** Loopback addresses of the hops (Linux routes all of 127/8 to lo): the client, then two proxies. */
const CLIENT_ADDRESS = '127.0.0.3';
const PROXY_A_OUT = '127.0.0.4';
const PROXY_B_OUT = '127.0.0.5';

let kafka: RunningKafkaBroker;
let dir: string;
let ca: TestCa;
let caller: TestCert;
let authnHttp: string;
let authnHttps: string;
let apiUrl: string;
const services: SpawnedService[] = [];
const proxies: Server[] = [];

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> =>
  waitUntil(what, probe, { timeoutMs, intervalMs: 300, diagnostics: () => services.map((s) => `--- ${s.name}\n${s.output().slice(-4000)}`).join('\n') });
const ready = (url: string) => () => fetch(url).then((r) => (r.ok ? true : undefined), () => undefined);

/** authtrail's serving certificate, self-signed by the openssl CLI, naming 127.0.0.1 as the client checks it. */
function makeServerCertificate(): void {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.crt', '-subj', '/CN=127.0.0.1', '-days', '1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/**
 * An HTTP reverse proxy as nginx's `proxy_add_x_forwarded_for` does it: appends the address it
 * was called from to X-Forwarded-For and calls `upstream` from `localAddress`.
 */
async function forwardingProxy(upstream: string, localAddress: string): Promise<string> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const from = req.socket.remoteAddress ?? '';
    const prior = req.headers['x-forwarded-for'];
    const headers = { ...req.headers, 'x-forwarded-for': prior ? `${String(prior)}, ${from}` : from };
    delete headers.connection;
    const out = httpRequest({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers, localAddress, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxies.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authtrail-caller-'));
  let httpPort: number;
  let httpsPort: number;
  let apiPort: number;
  [kafka, httpPort, httpsPort, apiPort] = await Promise.all([startKafkaBroker({ log: () => undefined }), freePort(), freePort(), freePort()]);
  authnHttp = `http://127.0.0.1:${httpPort}`;
  authnHttps = `https://127.0.0.1:${httpsPort}`;
  apiUrl = `http://127.0.0.1:${apiPort}`;
  const databaseUrl = await createTestDatabase('graphql_caller');
  ca = mintCa({ cn: CLUSTER_CA });
  caller = mintClientCert(ca, { cn: 'kube-apiserver-webhook-client', orgs: ['kube-master'] });
  makeServerCertificate();
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  writeFileSync(join(dir, 'tokens.csv'), [`${TOKENS.alice},alice,uid-alice,"dev"`, `${TOKENS.viewer},vera,uid-vera,"authtrail:viewers"`].join('\n') + '\n');
  writeFileSync(
    join(dir, 'authtrail.yaml'),
    [
      `dataDir: ${join(dir, 'data')}`,
      'authn:',
      `  http: { port: ${httpPort}, host: 127.0.0.1 }`,
      `  https: { port: ${httpsPort}, host: 127.0.0.1, certFile: ${join(dir, 'server.crt')}, keyFile: ${join(dir, 'server.key')}, clientCAFile: ${join(dir, 'ca.crt')} }`,
      // The two proxies' outgoing addresses; the client's address and 127.0.0.1 are not trusted.
      `  trustedProxies: [${PROXY_A_OUT}/32, ${PROXY_B_OUT}/32]`,
      '  cache: { successTTL: 0s, failureTTL: 0s }',
      '  strategies:',
      `    - { id: static-token, tokenFile: ${join(dir, 'tokens.csv')} }`,
      `    - { id: x509, clientCAFile: ${join(dir, 'ca.crt')} }`,
      'events:',
      `  kafka: { brokers: ["${kafka.brokers}"] }`,
      '  mode: strict',
      `database: { url: "${databaseUrl}" }`,
      `graphql: { port: ${apiPort}, host: 127.0.0.1, viewerGroups: ["authtrail:viewers"] }`,
      'fingerprint:',
      `  keys: [{ id: caller, secret: "${randomBytes(32).toString('base64')}" }]`,
      'log: { level: warn }',
    ].join('\n') + '\n',
  );
  const config = ['--config', join(dir, 'authtrail.yaml')];
  // KAFKA_BROKERS / DATABASE_URL override the config file: point them at this test's own.
  const env = { KAFKA_BROKERS: kafka.brokers, DATABASE_URL: databaseUrl, AUTHTRAIL_LOG_LEVEL: 'warn' };
  services.push(
    spawnService({ name: 'projector', root: ROOT, script: 'services/projector/src/main.ts', args: ['run'], env: { ...env, PROJECTOR_GROUP_ID: 'caller-projector', AUTHTRAIL_DATA_DIR: join(dir, 'projector') } }),
    spawnService({ name: 'authn', root: ROOT, script: 'services/authn/src/main.ts', args: config, env }),
    spawnService({ name: 'graphql-api', root: ROOT, script: 'services/graphql-api/src/main.ts', args: config, env }),
  );
  await waitFor('authn', ready(`${authnHttp}/readyz`), 90_000);
  await waitFor('graphql-api', ready(`${apiUrl}/readyz`), 90_000);
}, 180_000);

afterAll(async () => {
  await Promise.all(proxies.map((p) => new Promise<void>((resolve) => p.close(() => resolve()))));
  const exits = await Promise.all(services.map((s) => s.stop(20_000)));
  await kafka?.destroy();
  if (ca) destroyCa(ca);
  if (dir) rmSync(dir, { recursive: true, force: true });
  expect(exits).toEqual(services.map(() => 0));
}, 60_000);

/** @kubernetes/client-node is ESM-only: it runs in a child process (testdata/mtls-token-review-client.mjs). */
function mtlsTokenReviews(tokens: readonly string[]): Promise<Array<{ status?: { authenticated?: boolean; user?: { username?: string } }; error?: string }>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'testdata/mtls-token-review-client.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`mtls-token-review-client exited ${code}: ${err.slice(0, 500)}`))));
    child.stdin.end(JSON.stringify({ server: authnHttps, ca: readFileSync(join(dir, 'server.crt'), 'utf8'), cert: caller.certPem, key: caller.keyPem, tokens }));
  });
}

/** A plain-HTTP v1 TokenReview from `localAddress`; resolves with the answer's user and decision id. */
function plainTokenReview(url: string, token: string, localAddress: string): Promise<{ username: string | undefined; decisionId: string }> {
  const target = new URL('/apis/authentication.k8s.io/v1/tokenreviews', url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json' }, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: { user?: { username?: string } } };
        resolve({ username: body.status?.user?.username, decisionId: String(res.headers['x-authtrail-decision-id']) });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }));
  });
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.viewer}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

interface DecisionNode {
  readonly id: string;
  readonly decision: string;
  readonly endpoint: string;
  readonly username: string | null;
  readonly strategy: string | null;
  readonly sourceIp: string | null;
  readonly forwardedFor: string[];
  readonly tls: boolean | null;
  readonly caller: { certificate: { subject: string; issuer: string; serial: string; sha256: string; verified: boolean } | null; proxies: string[] } | null;
}
const DECISION_FIELDS = 'id decision endpoint username strategy sourceIp forwardedFor tls caller { certificate { subject issuer serial sha256 verified } proxies }';

const projected = (id: string): Promise<DecisionNode> =>
  waitFor(`decision ${id} projected`, async () => (await gql<{ decision: DecisionNode | null }>(`query($id: ID!) { decision(id: $id) { ${DECISION_FIELDS} } }`, { id })).decision ?? undefined);

describe('the caller of a TokenReview in GraphQL', () => {
  it('over mTLS (@kubernetes/client-node): the API server’s certificate is the caller, the token’s user the user — and an unknown token authenticates nobody', async () => {
    const answers = await mtlsTokenReviews([TOKENS.alice, TOKENS.unknown]);
    expect(answers.map((a) => [a.error, a.status?.authenticated, a.status?.user?.username])).toEqual([
      [undefined, true, 'alice'],
      [undefined, false, undefined],
    ]);

    const found = await waitFor('both mTLS decisions found by their caller', async () => {
      const data = await gql<{ decisions: { totalCount: number; edges: { node: DecisionNode }[] } }>(
        `query($subject: String!) { decisions(filter: { callerSubject: $subject }) { totalCount edges { node { ${DECISION_FIELDS} } } } }`,
        { subject: CALLER_SUBJECT },
      );
      return data.decisions.totalCount === 2 ? data.decisions.edges.map((e) => e.node) : undefined;
    });
    const certificate = {
      subject: CALLER_SUBJECT,
      issuer: `CN=${CLUSTER_CA}`,
      serial: caller.serial,
      // The SHA-256 of the DER bytes of the certificate the client sent.
      sha256: createHash('sha256').update(Buffer.from(caller.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).digest('hex'),
      // Issued by the listener's clientCAFile: the handshake verified it.
      verified: true,
    };
    const byDecision = Object.fromEntries(found.map((d) => [d.decision, d]));
    expect(byDecision['ALLOW']).toMatchObject({ endpoint: 'tokenreview', username: 'alice', strategy: 'static-token', sourceIp: '127.0.0.1', tls: true, caller: { certificate, proxies: [] } });
    expect(byDecision['DENY']).toMatchObject({ endpoint: 'tokenreview', username: null, sourceIp: '127.0.0.1', tls: true, caller: { certificate, proxies: [] } });
    // The filter is exact: another subject finds nothing.
    const other = await gql<{ decisions: { totalCount: number } }>('{ decisions(filter: { callerSubject: "CN=kube-apiserver-webhook-client" }) { totalCount } }');
    expect(other.decisions.totalCount).toBe(0);
  });

  it('over plain HTTP: no certificate, no proxies — no caller beyond the source address', async () => {
    const review = await plainTokenReview(authnHttp, TOKENS.alice, CLIENT_ADDRESS);
    expect(review.username).toBe('alice');
    expect(await projected(review.decisionId)).toMatchObject({ decision: 'ALLOW', endpoint: 'tokenreview', username: 'alice', sourceIp: CLIENT_ADDRESS, tls: false, caller: null });
  });

  it('through two trusted proxies: the chain, nearest the client first; the client address is the one behind them', async () => {
    const proxyB = await forwardingProxy(authnHttp, PROXY_B_OUT);
    const proxyA = await forwardingProxy(proxyB, PROXY_A_OUT);
    const review = await plainTokenReview(proxyA, TOKENS.alice, CLIENT_ADDRESS);
    expect(review.username).toBe('alice');
    expect(await projected(review.decisionId)).toMatchObject({
      decision: 'ALLOW',
      username: 'alice',
      sourceIp: CLIENT_ADDRESS,
      forwardedFor: [CLIENT_ADDRESS, PROXY_A_OUT],
      caller: { certificate: null, proxies: [PROXY_A_OUT, PROXY_B_OUT] },
    });
  });

  it('a forged X-Forwarded-For from an untrusted peer makes no proxy chain', async () => {
    const target = new URL('/apis/authentication.k8s.io/v1/tokenreviews', authnHttp);
    const decisionId = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.7, ${PROXY_A_OUT}` }, localAddress: CLIENT_ADDRESS, agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.headers['x-authtrail-decision-id'])));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: TOKENS.alice } }));
    });
    expect(await projected(decisionId)).toMatchObject({ username: 'alice', sourceIp: CLIENT_ADDRESS, forwardedFor: [], caller: null });
  });
});
