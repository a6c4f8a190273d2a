// authn started with kube-apiserver's structured authentication config (`authn.authenticationConfiguration`,
// issue #17): the file's anonymous section decides anonymous by exact path, its reload is watched,
// and kube's reload metrics are on authn's /metrics.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@authtrail/config';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { waitFor } from '@authtrail/testing';
import { recordingPublisher } from './app.fixture';
import { createLogger } from './observability/logger';
import { startAuthn, type RunningAuthn } from './start-authn';

/** The Kubernetes documentation's anonymous example: anonymous only on /livez, /readyz and /healthz. */
const DOC_ANONYMOUS = join(__dirname, '../../../libs/strategies/src/kube-authentication-config/testdata/doc-anonymous.yaml');
const TOKEN = `st-${randomBytes(12).toString('hex')}`;

let dir: string;
let authn: RunningAuthn;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authn-kube-authn-config-'));
  copyFileSync(DOC_ANONYMOUS, join(dir, 'authentication-config.yaml'));
  writeFileSync(join(dir, 'tokens.csv'), `${TOKEN},alice,uid-alice,"devs"\n`);
  writeFileSync(
    join(dir, 'authtrail.yaml'),
    ['dataDir: ./data', 'authn:', '  http: { port: 0, host: 127.0.0.1 }', '  authenticationConfiguration: authentication-config.yaml', '  strategies:', '    - { id: static-token, tokenFile: tokens.csv }'].join('\n'),
  );
  const config = loadConfig({ argv: ['--config', join(dir, 'authtrail.yaml')], env: { AUTHTRAIL_FINGERPRINT_KEY: `k:${randomBytes(32).toString('base64')}`, AUTHTRAIL_INSTANCE: 'authn-kube-config' }, validateStrategy: validateStrategyConfig });
  authn = await startAuthn(config, { publisher: recordingPublisher(), logger: createLogger('silent'), registry: { createStrategy } });
});

afterAll(async () => {
  await authn?.close();
  rmSync(dir, { recursive: true, force: true });
});

const authenticate = async (path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${authn.http.url}/v1/authenticate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ headers, method: 'GET', path }) });
  return { status: response.status, body: (await response.json()) as { authenticated: boolean; user?: { username: string } } };
};
const metrics = async () => (await fetch(`${authn.http.url}/metrics`)).text();

it('anonymous only on the paths the file names; the strategies of authtrail\'s own config still authenticate', async () => {
  expect(await authenticate('/livez')).toMatchObject({ status: 200, body: { authenticated: true, user: { username: 'system:anonymous' } } });
  expect((await authenticate('/livez/more')).status).toBe(401);
  expect((await authenticate('/api/v1/pods')).status).toBe(401);
  expect(await authenticate('/api/v1/pods', { Authorization: `Bearer ${TOKEN}` })).toMatchObject({ status: 200, body: { user: { username: 'alice' } } });
});

it('exposes kube-apiserver\'s reload metrics, and counts a reload to an invalid file as a failure while the old config stays', async () => {
  const before = await metrics();
  expect(before).toMatch(/^apiserver_authentication_config_controller_last_config_info\{[^}]*\} 1$/m);
  writeFileSync(join(dir, 'authentication-config.yaml'), 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n- issuer: { url: "http://not-https.example", audiences: [a] }\n  claimMappings: { username: { claim: sub, prefix: "" } }\n');
  await waitFor('a failed reload counted', async () => (/^apiserver_authentication_config_controller_automatic_reloads_total\{[^}]*status="failure"[^}]*\} 1$/m.test(await metrics()) ? true : undefined), { timeoutMs: 90_000, intervalMs: 200 });
  expect(await authenticate('/livez')).toMatchObject({ status: 200, body: { user: { username: 'system:anonymous' } } });
}, 120_000);
