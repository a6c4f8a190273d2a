// The demo environment `npm start` runs on when no --config is given: every strategy enabled
// with generated credentials, written once under `<dataDir>/demo` and reused on restart, so
// state (identities, failures, policy) and the printed credentials stay valid.
import { hash as argon2Hash } from '@node-rs/argon2';
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { createBootstrapToken } from '../pki/bootstrap-token';
import { createCertificateAuthority, issueClientCertificate, issueServerCertificate } from '../pki/certificate-authority';

export interface DemoPorts {
  readonly http: number;
  readonly https: number;
  readonly graphql: number;
  readonly oidc: number;
}

export const DEFAULT_DEMO_PORTS: DemoPorts = { http: 8080, https: 8443, graphql: 4000, oidc: 8090 };

/** What the demo prints; kept in a 0600 file beside the credentials it describes. */
export interface DemoSecrets {
  readonly adminToken: string;
  readonly viewerToken: string;
  readonly bootstrapToken: string;
  readonly basicUser: string;
  readonly basicPassword: string;
}

export interface DemoEnvironment {
  readonly dir: string;
  readonly configFile: string;
  readonly secrets: DemoSecrets;
  readonly ports: DemoPorts;
  readonly oidcIssuer: string;
  readonly serviceAccountKey: KeyObject;
  readonly oidcKey: KeyObject;
  readonly files: { readonly clientCertificate: string; readonly clientKey: string; readonly caCertificate: string };
}

const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const DEMO_AUDIENCE = 'authtrail-demo';
/** The fingerprint HMAC key(s) in AUTHTRAIL_FINGERPRINT_KEY's format (`id:base64`), for services that share this folder (compose). */
export const DEMO_FINGERPRINT_KEY_FILE = 'fingerprint.key';

function writeSecret(file: string, content: string): void {
  writeFileSync(file, content, { mode: 0o600 });
}

function token(): string {
  return randomBytes(24).toString('base64url');
}

export interface DemoEnvironmentOptions {
  /** Where state lives (written into the generated config). */
  readonly dataDir: string;
  readonly ports?: DemoPorts;
  /** Extra DNS names for the HTTPS server certificate (e.g. the compose service name). */
  readonly hostnames?: readonly string[];
}

/** Creates the demo credentials and config in `dir` unless they exist already. */
export async function ensureDemoEnvironment(dir: string, options: DemoEnvironmentOptions): Promise<DemoEnvironment> {
  const { dataDir, ports = DEFAULT_DEMO_PORTS, hostnames = [] } = options;
  const file = (name: string) => path.join(dir, name);
  const oidcIssuer = `http://127.0.0.1:${ports.oidc}`;
  if (!existsSync(file('demo-secrets.json'))) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const now = new Date();
    const ca = createCertificateAuthority({ commonName: 'authtrail demo CA', days: 3650, now });
    writeFileSync(file('ca.crt'), ca.certificatePem);
    writeSecret(file('ca.key'), ca.privateKeyPem);
    const server = issueServerCertificate(ca, { commonName: 'localhost', days: 825, now, dnsNames: ['localhost', ...hostnames], ips: ['127.0.0.1'] });
    writeFileSync(file('server.crt'), server.certificatePem);
    writeSecret(file('server.key'), server.privateKeyPem);
    const client = issueClientCertificate(ca, { commonName: 'carol', organizations: ['dev'], days: 365, now });
    writeFileSync(file('carol.crt'), client.certificatePem);
    writeSecret(file('carol.key'), client.privateKeyPem);

    const secrets: DemoSecrets = {
      adminToken: token(),
      viewerToken: token(),
      bootstrapToken: '',
      basicUser: 'bob',
      basicPassword: randomBytes(12).toString('base64url'),
    };
    writeSecret(file('tokens.csv'), `${secrets.adminToken},admin,1001,"authtrail:admins,authtrail:viewers"\n${secrets.viewerToken},alice,1002,"authtrail:viewers,dev"\n`);
    const phc = await argon2Hash(secrets.basicPassword, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    // PHC strings contain commas, so the column is quoted (kube CSV rules).
    writeSecret(file('users.csv'), `"${phc}",bob,1003,"dev"\n`);
    const bootstrap = createBootstrapToken({ ttlMs: 365 * 86_400_000, extraGroups: ['system:bootstrappers:demo'], description: 'authtrail demo', now });
    writeSecret(file('bootstrap.yaml'), bootstrap.secretYaml);

    const serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeSecret(file('sa.key'), serviceAccountKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    writeFileSync(file('sa.pub'), serviceAccountKey.publicKey.export({ type: 'spki', format: 'pem' }));
    const oidcKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeSecret(file('oidc.key'), oidcKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

    writeFileSync(file('policy.yaml'), DEMO_POLICY);
    writeFileSync(file('authtrail.yaml'), demoConfig(dataDir, ports, oidcIssuer));
    writeSecret(file('demo-secrets.json'), JSON.stringify({ ...secrets, bootstrapToken: bootstrap.token }, null, 2));
  }
  ensureFingerprintKey(file(DEMO_FINGERPRINT_KEY_FILE));
  return {
    dir,
    configFile: file('authtrail.yaml'),
    secrets: JSON.parse(readFileSync(file('demo-secrets.json'), 'utf8')) as DemoSecrets,
    ports,
    oidcIssuer,
    serviceAccountKey: createPrivateKey(readFileSync(file('sa.key'))),
    oidcKey: createPrivateKey(readFileSync(file('oidc.key'))),
    files: { clientCertificate: file('carol.crt'), clientKey: file('carol.key'), caCertificate: file('ca.crt') },
  };
}

/**
 * A random key of its own per demo folder, never a shared default: a public key would let anyone
 * who holds the events test guessed tokens against their fingerprints. Apart from the credentials
 * above, so a folder made before the key existed gets one too; never overwritten.
 */
function ensureFingerprintKey(file: string): void {
  if (existsSync(file)) return;
  writeFileSync(file, `demo:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
}

const DEMO_POLICY = `# Demo policy (version 1). Change it through the GraphQL mutation applyPolicy.
strategies:
  static-token: { mode: warn }
  basic-auth:   { mode: warn }
  x509:         { denyGroups: ["system:masters"], maxValidity: 825d }
throttle:
  perSourceIp:   { failures: 20, window: 1m, block: 1m }
  perCredential: { failures: 5, window: 1m, block: 1m }
`;

/** The demo config: relative paths resolve against the demo folder (where this file lives). */
function demoConfig(dataDir: string, ports: DemoPorts, oidcIssuer: string): string {
  return stringify({
    dataDir: path.resolve(dataDir),
    authn: {
      http: { port: ports.http, host: '127.0.0.1' },
      https: { port: ports.https, host: '127.0.0.1', certFile: './server.crt', keyFile: './server.key', clientCAFile: './ca.crt' },
      anonymous: { enabled: true, paths: ['/public/*'] },
      strategies: [
        { id: 'static-token', tokenFile: './tokens.csv' },
        { id: 'bootstrap-token', secretsFile: './bootstrap.yaml' },
        { id: 'basic-auth', passwordFile: './users.csv' },
        { id: 'x509', clientCAFile: './ca.crt' },
        { id: 'service-account', issuers: [SERVICE_ACCOUNT_ISSUER], keyFiles: ['./sa.pub'], audiences: [DEMO_AUDIENCE] },
        {
          id: 'oidc',
          issuer: { url: oidcIssuer, audiences: [DEMO_AUDIENCE] },
          claimMappings: { username: { claim: 'email', prefix: '' }, groups: { claim: 'groups', prefix: 'oidc:' } },
        },
      ],
    },
    graphql: { port: ports.graphql, host: '127.0.0.1', introspection: true, playground: true },
    policy: { file: './policy.yaml' },
  });
}

export { SERVICE_ACCOUNT_ISSUER };
