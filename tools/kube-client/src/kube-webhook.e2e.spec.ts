// authtrail against Kubernetes' own code (issue #17): kube-apiserver's token webhook authenticator
// (k8s.io/apiserver plugin/pkg/authenticator/token/webhook behind the token cache, wired as
// kube-apiserver wires it) and client-go's SelfSubjectReview over protobuf, both from the Go
// program of this project (../main.go, built by the test with the Go toolchain and the module
// proxy, cached under node_modules/.cache). authn runs for real (startAuthn) over HTTP, HTTPS
// with a CA, and mTLS, with the harness's Kafka; webhook calls are counted as the decisions
// authtrail recorded on Kafka, never inside the Go program.
//
// Expected identities come from the token file, the JWT claims and the certificates this file
// makes; the group `system:authenticated` is the one authtrail adds to every user (as
// kube-apiserver does), the extra keys are Kubernetes' own names.
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createLogger, startAuthn, type RunningAuthn } from '@authtrail/authn';
import { loadConfig } from '@authtrail/config';
import { createKafkaBus } from '@authtrail/event-bus';
import { TOPICS, type DecisionEvent } from '@authtrail/events';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { boundServiceAccountClaims, destroyCa, freePort, mintCa, mintClientCert, rsaKeyPair, signJwt, testKafkaBrokers, type TestCa, type TestCert } from '@authtrail/testing';
import { buildKubeClient, kubeconfig, startWebhookClient, whoami, type WebhookAnswer, type WebhookClient, type WebhookOptions } from '../testdata/kube-client';

const REPO_ROOT = join(__dirname, '../../..');
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const FINGERPRINT_KEY = randomBytes(32);
const instance = `kube-client-${randomBytes(4).toString('hex')}`;
const token = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

// Static tokens (kube's --token-auth-file CSV): alice with uid and groups, bob with neither.
const ALICE = { token: token('alice'), username: 'alice', uid: `uid-${randomUUID()}`, groups: ['admins', 'devs'] };
const BOB = { token: token('bob'), username: 'bob' };

const TRANSPORTS = ['http', 'https', 'mtls'] as const;
const VERSIONS = ['v1', 'v1beta1'] as const;
type Transport = (typeof TRANSPORTS)[number];
type Version = (typeof VERSIONS)[number];
const COMBOS = TRANSPORTS.flatMap((transport) => VERSIONS.map((version) => ({ transport, version })));
/** One static token per combination for the cache count, so each count starts from zero. */
const COUNTERS = new Map(COMBOS.map(({ transport, version }) => [`${transport}/${version}`, { token: token('counter'), username: `counter-${transport}-${version}` }]));

const saKey = rsaKeyPair({ alg: 'RS256' });
const otherKey = rsaKeyPair({ alg: 'RS256' });
const oidcKey = rsaKeyPair({ alg: 'RS256' });
const SA = { namespace: 'ci', name: 'builder', uid: randomUUID(), pod: { name: 'builder-7d9f', uid: randomUUID() }, node: { name: 'node-1', uid: randomUUID() }, jti: randomUUID() };
const saClaims = (overrides: Partial<Parameters<typeof boundServiceAccountClaims>[0]> = {}) =>
  boundServiceAccountClaims({ issuer: SA_ISSUER, audiences: [SA_ISSUER], namespace: SA.namespace, name: SA.name, uid: SA.uid, pod: SA.pod, node: SA.node, jti: SA.jti, ...overrides });
const SA_TOKEN = signJwt(saClaims(), saKey);

let dir: string;
let binary: string;
let running: RunningAuthn;
let bus: ReturnType<typeof createKafkaBus>;
let serverCa: TestCa;
let clientCa: TestCa;
/** kube-apiserver's client certificate for the webhook: a valid, highly privileged identity at authtrail. */
let apiserverCert: TestCert;
let oidcIssuer: string;
const clients: WebhookClient[] = [];

const fingerprint = (secret: string) => `hmac-sha256:kc:${createHmac('sha256', FINGERPRINT_KEY).update(secret, 'utf8').digest('hex')}`;
const file = (name: string, content: string) => {
  writeFileSync(join(dir, name), content, { mode: 0o600 });
  return join(dir, name);
};

/** A serving certificate for 127.0.0.1 signed by `ca` (Go verifies the IP SAN; libs/testing mints none). */
function serverCertificate(ca: TestCa): { certFile: string; keyFile: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync(join(dir, 'server.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n');
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=authtrail-authn');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', join(ca.dir, 'ca.crt'), '-CAkey', join(ca.dir, 'ca.key'), '-CAcreateserial', '-CAserial', join(dir, 'server.srl'), '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
  return { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

function serverUrl(transport: Transport): string {
  if (transport === 'http') return running.http.url;
  if (!running.https) throw new Error('authn has no HTTPS listener');
  return running.https.url;
}

/** A webhook kubeconfig as infra/k8s/authn-webhook.kubeconfig.yaml has it, for one transport and path version. */
function webhookKubeconfig(transport: Transport, pathVersion: Version): string {
  const name = `webhook-${transport}-${pathVersion}.kubeconfig`;
  return file(
    name,
    stringifyYaml(
      kubeconfig({
        server: `${serverUrl(transport)}/apis/authentication.k8s.io/${pathVersion}/tokenreviews`,
        ...(transport !== 'http' ? { certificateAuthority: join(serverCa.dir, 'ca.crt') } : {}),
        ...(transport === 'mtls' ? { clientCertificate: file('apiserver.crt', apiserverCert.certPem), clientKey: file('apiserver.key', apiserverCert.keyPem) } : {}),
      }),
    ),
  );
}

function webhook(options: WebhookOptions): WebhookClient {
  const client = startWebhookClient(binary, options);
  clients.push(client);
  return client;
}

/** Every decision this authn recorded on Kafka (the topic read to its end after a flush). */
async function recordedDecisions(): Promise<DecisionEvent[]> {
  await bus.publisher.flush(10_000);
  const events: DecisionEvent[] = [];
  await bus.subscriber.readToEnd(TOPICS.decisions, (record) => {
    if (!record.value) return;
    const event = JSON.parse(record.value.toString('utf8')) as DecisionEvent;
    if (event.type === 'authtrail.authn.decision.v1' && event.data?.instance === instance) events.push(event);
  });
  return events;
}

/** How many TokenReviews authtrail decided for each secret (by credential fingerprint). */
async function webhookCalls(...secrets: string[]): Promise<number[]> {
  const events = await recordedDecisions();
  return secrets.map((secret) => events.filter((e) => e.data.request.endpoint === 'tokenreview' && e.data.credential?.fingerprint === fingerprint(secret)).length);
}

const aliceUser = { username: ALICE.username, uid: ALICE.uid, groups: [...ALICE.groups, 'system:authenticated'], extra: {} };
const bobUser = { username: BOB.username, uid: '', groups: ['system:authenticated'], extra: {} };
const saUser = {
  username: `system:serviceaccount:${SA.namespace}:${SA.name}`,
  uid: SA.uid,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${SA.namespace}`, 'system:authenticated'],
  extra: {
    'authentication.kubernetes.io/pod-name': [SA.pod.name],
    'authentication.kubernetes.io/pod-uid': [SA.pod.uid],
    'authentication.kubernetes.io/node-name': [SA.node.name],
    'authentication.kubernetes.io/node-uid': [SA.node.uid],
    'authentication.kubernetes.io/credential-id': [`JTI=${SA.jti}`],
  },
};
const sorted = (user: WebhookAnswer['user']) => user && { ...user, groups: [...user.groups].sort() };
const expectUser = (answer: WebhookAnswer, user: typeof aliceUser | typeof saUser | typeof bobUser) => {
  expect(answer.error).toBeUndefined();
  expect(answer.authenticated).toBe(true);
  expect(sorted(answer.user)).toEqual({ ...user, groups: [...user.groups].sort() });
};

beforeAll(async () => {
  binary = await buildKubeClient();
}, 30 * 60_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-client-'));
  serverCa = mintCa({ cn: 'authtrail serving CA' });
  clientCa = mintCa({ cn: 'webhook callers CA' });
  apiserverCert = mintClientCert(clientCa, { cn: 'kube-apiserver', orgs: ['system:masters'] });
  const serving = serverCertificate(serverCa);
  oidcIssuer = `http://127.0.0.1:${await freePort()}`; // nothing listens: its tokens cannot be checked
  file('tokens.csv', [`${ALICE.token},${ALICE.username},${ALICE.uid},"${ALICE.groups.join(',')}"`, `${BOB.token},${BOB.username},,`, ...[...COUNTERS.values()].map((c) => `${c.token},${c.username},,`)].join('\n') + '\n');
  file('sa.pub', saKey.publicPem);
  file('client-ca.crt', clientCa.certPem);
  file(
    'authtrail.yaml',
    [
      'dataDir: ./data',
      'authn:',
      '  http: { port: 0, host: 127.0.0.1 }',
      `  https: { port: 0, host: 127.0.0.1, certFile: ${serving.certFile}, keyFile: ${serving.keyFile}, clientCAFile: client-ca.crt }`,
      '  cache: { successTTL: 10s, failureTTL: 0s }',
      '  strategies:',
      '    - { id: static-token, tokenFile: tokens.csv }',
      '    - { id: x509, clientCAFile: client-ca.crt }',
      `    - { id: service-account, issuers: ["${SA_ISSUER}"], keyFiles: [sa.pub], audiences: ["${SA_ISSUER}"] }`,
      `    - { id: oidc, issuer: { url: "${oidcIssuer}", audiences: [kube] }, claimMappings: { username: { claim: sub, prefix: "oidc:" } } }`,
      'events: { mode: buffered }',
      'log: { level: warn }',
    ].join('\n'),
  );
  const config = loadConfig({
    argv: ['--config', join(dir, 'authtrail.yaml')],
    env: { KAFKA_BROKERS: testKafkaBrokers().join(','), AUTHTRAIL_FINGERPRINT_KEY: `kc:${FINGERPRINT_KEY.toString('base64')}`, AUTHTRAIL_INSTANCE: instance },
    validateStrategy: validateStrategyConfig,
  });
  bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: instance, mode: 'buffered', spoolDir: join(dir, 'spool'), topics: { [TOPICS.decisions]: { partitions: 3 } } });
  running = await startAuthn(config, { publisher: bus.publisher, logger: createLogger('silent'), registry: { createStrategy } });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await running?.close();
  await bus?.close();
  if (serverCa) destroyCa(serverCa);
  if (clientCa) destroyCa(clientCa);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(COMBOS)('kube-apiserver\'s webhook authenticator over $transport, TokenReview $version', ({ transport, version }) => {
  let client: WebhookClient;
  beforeAll(() => {
    // A long cache TTL: every repeated lookup in these tests falls within it.
    client = webhook({ kubeconfig: webhookKubeconfig(transport, version), version, cacheTTL: '10m', apiAudiences: [SA_ISSUER] });
  });

  it('identities, uid, groups and extra are the ones authtrail answers: static tokens and a service-account JWT', async () => {
    expectUser(await client.authenticate(ALICE.token), aliceUser);
    expectUser(await client.authenticate(BOB.token), bobUser);
    // kube-apiserver puts its API audiences on the request context; the token is for them.
    const sa = await client.authenticate(SA_TOKEN, [SA_ISSUER]);
    expectUser(sa, saUser);
    expect(sa.audiences).toEqual([SA_ISSUER]);
  });

  it('definitive rejections (unknown, expired, forged, wrong audience) are "not authenticated" without an error', async () => {
    const rejected = [
      token('unknown'),
      signJwt(saClaims({ expiresIn: -600, notBeforeIn: -4000 }), saKey),
      signJwt(saClaims(), otherKey),
    ];
    const answers = await Promise.all(rejected.map((t) => client.authenticate(t, [SA_ISSUER])));
    answers.push(await client.authenticate(SA_TOKEN, ['https://elsewhere.example']));
    expect(answers).toEqual(Array(4).fill({ authenticated: false }));
  });

  it('N lookups of a bad token within the failure TTL make exactly one webhook call; so do N of a good token', async () => {
    const bad = token('bad');
    const good = COUNTERS.get(`${transport}/${version}`)!;
    // Concurrent lookups share one call (kube's single flight), later ones hit the cache.
    const answers = await Promise.all([...Array(4)].map(() => client.authenticate(bad)));
    for (let i = 0; i < 4; i++) answers.push(await client.authenticate(bad));
    const goodAnswers = await Promise.all([...Array(4)].map(() => client.authenticate(good.token)));
    for (let i = 0; i < 4; i++) goodAnswers.push(await client.authenticate(good.token));

    expect(goodAnswers.map((a) => a.user?.username)).toEqual(Array(8).fill(good.username));
    expect(answers).toEqual(Array(8).fill({ authenticated: false }));
    expect(await webhookCalls(bad, good.token)).toEqual([1, 1]);
  });
});

describe('the webhook caller over mTLS', () => {
  it('is never mistaken for the token\'s user: its certificate authenticates it elsewhere, never in a TokenReview', async () => {
    // The certificate alone is a valid identity at authtrail (forward-auth over mTLS).
    const forwardAuth = await new Promise<{ status: number; user: unknown }>((resolveAnswer, reject) => {
      const req = httpsRequest(`${running.https!.url}/v1/forward-auth`, { ca: serverCa.certPem, cert: apiserverCert.certPem, key: apiserverCert.keyPem, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, user: res.headers['x-remote-user'] }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(forwardAuth).toEqual({ status: 200, user: 'kube-apiserver' });

    // No cache: every lookup reaches authtrail, over the connection that carries the certificate.
    const client = webhook({ kubeconfig: webhookKubeconfig('mtls', 'v1'), version: 'v1', cacheTTL: '0s' });
    const unknown = token('unknown');
    const empty = await client.authenticate('');
    const bad = await client.authenticate(unknown);
    const good = await client.authenticate(ALICE.token);
    expect([empty.authenticated, empty.user, bad.authenticated, bad.user]).toEqual([false, undefined, false, undefined]);
    expectUser(good, aliceUser);

    const reviews = (await recordedDecisions()).filter((e) => e.data.request.endpoint === 'tokenreview');
    expect(reviews.filter((e) => e.data.credential?.fingerprint === fingerprint(unknown)).map((e) => [e.data.decision, e.data.user?.username])).toEqual([['deny', undefined]]);
    expect(reviews.filter((e) => e.data.credential?.fingerprint === fingerprint(ALICE.token) && e.data.request.tls).map((e) => e.data.user?.username)).toContain('alice');
    expect(reviews.filter((e) => e.data.user?.username === 'kube-apiserver' || e.data.strategy === 'x509').map((e) => [e.data.decision, e.data.strategy, e.data.user?.username])).toEqual([]);
  });
});

describe('what the cache does not keep', () => {
  it('without the cache every lookup is a webhook call (the count is authtrail\'s, not the client\'s)', async () => {
    const client = webhook({ kubeconfig: webhookKubeconfig('http', 'v1'), version: 'v1', cacheTTL: '0s' });
    const uncached = token('uncached');
    const answers: WebhookAnswer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await client.authenticate(uncached));
    expect(answers.map((a) => a.authenticated)).toEqual([false, false, false]);
    expect(await webhookCalls(uncached)).toEqual([3]);
  });

  it('a token that could not be checked (its IdP unreachable) is answered with an error, never cached: each lookup is a call', async () => {
    const client = webhook({ kubeconfig: webhookKubeconfig('http', 'v1'), version: 'v1', cacheTTL: '10m' });
    const now = Math.floor(Date.now() / 1000);
    const idToken = signJwt({ iss: oidcIssuer, aud: ['kube'], sub: 'jane', iat: now, nbf: now, exp: now + 600 }, oidcKey);
    const answers: WebhookAnswer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await client.authenticate(idToken));
    for (const answer of answers) {
      expect(answer.authenticated).toBe(false);
      expect(answer.error).toEqual(expect.any(String));
    }
    // Only this token reaches the unreachable issuer (an errored decision need not carry the token's fingerprint).
    const unchecked = (await recordedDecisions()).filter((e) => e.data.request.endpoint === 'tokenreview' && e.data.attempts.some((a) => a.strategy === 'oidc' && a.outcome === 'errored'));
    expect(unchecked.map((e) => e.data.decision)).toEqual(['deny', 'deny', 'deny']);
  });
});

describe('the shipped webhook kubeconfig (infra/k8s/authn-webhook.kubeconfig.yaml) with kube-apiserver\'s flags', () => {
  /** The shipped file with its placeholders (host, certificate files) pointed at this test's authn; its path kept. */
  function shippedKubeconfig(): string {
    const shipped = parseYaml(readFileSync(join(REPO_ROOT, 'infra/k8s/authn-webhook.kubeconfig.yaml'), 'utf8')) as {
      clusters: { cluster: Record<string, string> }[];
      users: { user: Record<string, string> }[];
    };
    const cluster = shipped.clusters[0]!.cluster;
    const path = new URL(cluster['server']!).pathname;
    cluster['server'] = `${running.https!.url}${path}`;
    cluster['certificate-authority'] = join(serverCa.dir, 'ca.crt');
    const user = shipped.users[0]!.user;
    user['client-certificate'] = file('apiserver.crt', apiserverCert.certPem);
    user['client-key'] = file('apiserver.key', apiserverCert.keyPem);
    return file('shipped.kubeconfig', stringifyYaml(shipped));
  }

  it.each([
    { flag: 'no --authentication-token-webhook-version (kube-apiserver\'s default, v1beta1)', version: undefined },
    { flag: '--authentication-token-webhook-version=v1', version: 'v1' as const },
  ])('works with $flag', async ({ version }) => {
    const client = webhook({ kubeconfig: shippedKubeconfig(), ...(version ? { version } : {}), cacheTTL: '10s' });
    expectUser(await client.authenticate(ALICE.token), aliceUser);
    expect(await client.authenticate(token('unknown'))).toEqual({ authenticated: false });
  });
});

describe('client-go\'s SelfSubjectReview (kubectl auth whoami) over HTTPS', () => {
  const whoamiConfig = (credentials: { token?: string; cert?: TestCert }) =>
    file(
      `whoami-${randomBytes(4).toString('hex')}.kubeconfig`,
      stringifyYaml(
        kubeconfig({
          server: running.https!.url,
          certificateAuthority: join(serverCa.dir, 'ca.crt'),
          ...(credentials.token ? { token: credentials.token } : {}),
          ...(credentials.cert ? { clientCertificate: file('whoami-client.crt', credentials.cert.certPem), clientKey: file('whoami-client.key', credentials.cert.keyPem) } : {}),
        }),
      ),
    );

  it.each([
    { apiVersion: 'v1' as const, contentType: 'protobuf' as const },
    { apiVersion: 'v1' as const, contentType: 'default' as const },
    { apiVersion: 'v1beta1' as const, contentType: 'protobuf' as const },
    { apiVersion: 'v1alpha1' as const, contentType: 'protobuf' as const },
  ])('$apiVersion with content type $contentType returns the token\'s user', async ({ apiVersion, contentType }) => {
    const answer = await whoami(binary, { kubeconfig: whoamiConfig({ token: ALICE.token }), apiVersion, contentType });
    expect(answer.error).toBeUndefined();
    expect(sorted(answer.userInfo)).toEqual({ ...aliceUser, groups: [...aliceUser.groups].sort() });
  });

  it('a service-account token and a client certificate are who they say; a bad token is a 401 client-go understands', async () => {
    const sa = await whoami(binary, { kubeconfig: whoamiConfig({ token: SA_TOKEN }), apiVersion: 'v1', contentType: 'protobuf' });
    expect(sorted(sa.userInfo)).toEqual({ ...saUser, groups: [...saUser.groups].sort() });

    const cert = await whoami(binary, { kubeconfig: whoamiConfig({ cert: apiserverCert }), apiVersion: 'v1', contentType: 'protobuf' });
    const certSha256 = createHash('sha256').update(apiserverCert.cert.raw).digest('hex');
    expect(sorted(cert.userInfo)).toEqual({ username: 'kube-apiserver', uid: '', groups: ['system:authenticated', 'system:masters'], extra: { 'authentication.kubernetes.io/credential-id': [`X509SHA256=${certSha256}`] } });

    const bad = await whoami(binary, { kubeconfig: whoamiConfig({ token: token('unknown') }), apiVersion: 'v1', contentType: 'protobuf' });
    expect([bad.userInfo, bad.code, bad.reason]).toEqual([undefined, 401, 'Unauthorized']);
  });
});
