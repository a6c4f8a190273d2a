// Property test: whatever arrives (bodies, content types, headers, methods), the app answers
// with a 2xx/4xx (503 only for strict-mode publish failures, not used here), never a 500, and
// keeps answering afterwards. Runs the REAL strategies from libs/strategies (file-based ones).
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStrategy } from '@authtrail/strategies';
import { generateKeyPairSync } from 'node:crypto';
import { composeChain, type ComposedChain } from '@authtrail/authentication';
import { ALICE_TOKEN, testApp } from './app.fixture';
import type { AuthnApp } from './app';
import type { RecordingPublisher } from './app.fixture';

let dir: string;
let composed: ComposedChain;
let app: AuthnApp;
let publisher: RecordingPublisher;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authn-fuzz-'));
  writeFileSync(join(dir, 'tokens.csv'), `${ALICE_TOKEN},alice,u-1,"dev"\n`);
  writeFileSync(join(dir, 'users.csv'), 'plaintext-pw,bob,u-2,"ops"\n');
  writeFileSync(join(dir, 'bootstrap.yaml'), '');
  writeFileSync(join(dir, 'sa.pub'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
  composed = await composeChain(
    {
      http: { port: 0, host: '127.0.0.1' },
      trustedProxies: ['127.0.0.1/32'],
      anonymous: { enabled: true, paths: ['/public/*'] },
      cache: { successTTL: 10_000, failureTTL: 0, maxEntries: 100 },
      strategies: [
        { id: 'static-token', tokenFile: join(dir, 'tokens.csv') },
        { id: 'basic-auth', passwordFile: join(dir, 'users.csv') },
        { id: 'bootstrap-token', secretsFile: join(dir, 'bootstrap.yaml') },
        { id: 'service-account', issuers: ['https://kubernetes.default.svc'], keyFiles: [join(dir, 'sa.pub')] },
      ],
      limits: { bodyLimit: 4096, maxHeaderSize: 16_384, requestTimeout: 10_000, keepAliveTimeout: 5_000, connectionTimeout: 30_000, shutdownGrace: 1_000 },
    },
    { createStrategy: (config, deps, path) => createStrategy(config, deps, path) },
    {},
  );
  ({ app, publisher } = testApp({ chain: composed.chain, basicAuth: composed.basicAuth, trustedProxies: ['127.0.0.1/32'], limits: { bodyLimit: 4096, maxHeaderSize: 16_384, requestTimeout: 10_000, keepAliveTimeout: 5_000, connectionTimeout: 30_000 } }));
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await composed?.close();
  rmSync(dir, { recursive: true, force: true });
});

const urls = ['/apis/authentication.k8s.io/v1/tokenreviews', '/apis/authentication.k8s.io/v1beta1/tokenreviews', '/apis/authentication.k8s.io/v1/selfsubjectreviews', '/apis/authentication.k8s.io/v1beta1/selfsubjectreviews', '/apis/authentication.k8s.io/v1alpha1/selfsubjectreviews', '/v1/authenticate', '/v1/forward-auth', '/v1/forward-auth/public/x'];
const headerValueArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('Bearer ', 'Basic ', 'Basic !!!', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.e30.', `Bearer ${ALICE_TOKEN}`, 'Basic Ym9iOnBsYWludGV4dC1wdw==', 'Bearer abcdef.0123456789abcdef'),
).map((v) => v.replace(/[^\t\x20-\x7e]/g, ''));
const jsonish = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 300 }),
  fc.record({ spec: fc.record({ token: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), audiences: fc.array(fc.string(), { maxLength: 3 }) }, { requiredKeys: [] }) }).map((o) => JSON.stringify(o)),
  fc.record({ headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }))), clientCertificate: fc.string(), sourceIp: fc.string() }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
);

describe('fuzz: bodies and headers', () => {
  it('never a 500, always a decision id on auth endpoints, and the app keeps answering', async () => {
    let routedCount = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...urls),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/vnd.kubernetes.protobuf', ''),
        jsonish,
        fc.dictionary(fc.constantFrom('authorization', 'x-forwarded-for', 'x-forwarded-uri', 'x-forwarded-method', 'x-forwarded-proto', 'ssl-client-cert', 'x-forwarded-client-cert', 'x-forwarded-tls-client-cert', 'user-agent', 'x-original-uri'), headerValueArb),
        fc.constantFrom('127.0.0.1', '192.0.2.10'),
        async (url, method, contentType, body, headers, remoteAddress) => {
          const res = await app.inject({ method, url, remoteAddress, headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) }, ...(method === 'GET' ? {} : { payload: body }) });
          expect(res.statusCode).toBeLessThan(500);
          // Requests that reach an auth route are decisions: they carry the id of their event.
          const routed = url.startsWith('/v1/forward-auth') || method === 'POST';
          if (routed) {
            routedCount++;
            expect(res.headers['x-authtrail-decision-id']).toEqual(expect.any(String));
          }
        },
      ),
      { numRuns: 300 },
    );
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const ok = await app.inject({ method: 'GET', url: '/v1/forward-auth', headers: { authorization: `Bearer ${ALICE_TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    // Exactly one event per routed request (+1 for the final check).
    expect(publisher.records.length).toBe(routedCount + 1);
  });
});
