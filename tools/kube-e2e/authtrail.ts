// authtrail as kube-apiserver's token webhook: `authtrail start --config FILE` (every service in one
// process, embedded PostgreSQL and the in-process bus) with an HTTPS listener that asks for client
// certificates, and a small GraphQL client to read the decisions back.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startProcess, waitUntil, type Started } from './processes';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO_ROOT, 'tools', 'cli', 'src', 'main.ts');

/** The issuer of the service-account tokens only authtrail knows (kube-apiserver passes them to the webhook). */
export const AUTHTRAIL_SA_ISSUER = 'https://authtrail-e2e.invalid';

export interface StaticToken {
  readonly token: string;
  readonly username: string;
  readonly uid: string;
  readonly groups: readonly string[];
  /** RFC 3339; a past date makes the token expired (authtrail's 5th column). */
  readonly expiry?: string;
}

/** A random token, never printed: base64url of 24 bytes. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export interface AuthtrailFiles {
  readonly workDir: string;
  readonly ports: { readonly http: number; readonly https: number; readonly graphql: number };
  readonly serving: { readonly certFile: string; readonly keyFile: string };
  /** CA of the webhook's clients: advertised in the handshake and trusted by the x509 strategy. */
  readonly clientCaFile: string;
  /** Public key of the service-account tokens authtrail verifies itself. */
  readonly serviceAccountPublicKeyFile: string;
  readonly apiAudience: string;
  readonly tokens: readonly StaticToken[];
}

/** Writes tokens.csv and authtrail.yaml into workDir; returns the config file. */
export function writeAuthtrailConfig(files: AuthtrailFiles): string {
  const csv = files.tokens.map((t) => [t.token, t.username, t.uid, `"${t.groups.join(',')}"`, ...(t.expiry ? [t.expiry] : [])].join(',')).join('\n');
  const tokenFile = path.join(files.workDir, 'tokens.csv');
  writeFileSync(tokenFile, `${csv}\n`, { mode: 0o600 });
  const configFile = path.join(files.workDir, 'authtrail.yaml');
  // JSON is YAML: no quoting rules to get wrong for paths.
  const yaml = (value: unknown) => JSON.stringify(value);
  writeFileSync(
    configFile,
    [
      '# Written by tools/kube-e2e: authtrail as the token webhook of a loopback kube-apiserver.',
      `dataDir: ${yaml(path.join(files.workDir, 'authtrail-data'))}`,
      'authn:',
      '  instance: kube-e2e',
      `  http: { host: 127.0.0.1, port: ${files.ports.http} }`,
      `  https: { host: 127.0.0.1, port: ${files.ports.https}, certFile: ${yaml(files.serving.certFile)}, keyFile: ${yaml(files.serving.keyFile)}, clientCAFile: ${yaml(files.clientCaFile)} }`,
      '  strategies:',
      `    - { id: static-token, tokenFile: ${yaml(tokenFile)} }`,
      // With x509 on, kube-apiserver's own client certificate is a valid identity here: the run
      // checks that it never becomes the user of a token under review.
      `    - { id: x509, clientCAFile: ${yaml(files.clientCaFile)} }`,
      `    - { id: service-account, issuers: [${yaml(AUTHTRAIL_SA_ISSUER)}], keyFiles: [${yaml(files.serviceAccountPublicKeyFile)}], audiences: [${yaml(files.apiAudience)}] }`,
      'graphql:',
      `  host: 127.0.0.1`,
      `  port: ${files.ports.graphql}`,
      '  introspection: true',
      'log: { level: info }',
      '',
    ].join('\n'),
  );
  return configFile;
}

export async function startAuthtrail(configFile: string, workDir: string, ports: AuthtrailFiles['ports']): Promise<Started> {
  const started = startProcess('authtrail', process.execPath, ['--import', 'tsx', CLI, 'start', '--config', configFile], { logFile: path.join(workDir, 'authtrail.log'), cwd: REPO_ROOT });
  const ready = async (url: string) => (await fetch(url)).status === 200;
  await waitUntil(started, 'authn /readyz', () => ready(`http://127.0.0.1:${ports.http}/readyz`), 240_000);
  await waitUntil(started, 'graphql-api /readyz', () => ready(`http://127.0.0.1:${ports.graphql}/readyz`), 60_000);
  return started;
}

/** `authtrail sa-token mint` — a bound service-account JWT signed with authtrail's own test key. */
export function mintServiceAccountToken(privateKeyFile: string, namespace: string, name: string, audience: string): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'sa-token', 'mint', '--key', privateKeyFile, '--namespace', namespace, '--name', name, '--issuer', AUTHTRAIL_SA_ISSUER, '--audience', audience, '--ttl', '1h'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`authtrail sa-token mint failed: ${run.stderr.trim()}`);
  return run.stdout.trim();
}

export class GraphqlClient {
  constructor(
    private readonly url: string,
    private readonly adminToken: string,
  ) {}

  async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.adminToken}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length || !body.data) throw new Error(`GraphQL ${response.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
    return body.data;
  }
}
