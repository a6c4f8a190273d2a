// Builds and drives the Go program of this project (../main.go): Kubernetes' own webhook token
// authenticator and client-go's SelfSubjectReview, for the specs in ../src.
// It lives in testdata/ because it builds through the test harness (libs/testing).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { buildGoProgram } from '@authtrail/testing';

export const MODULE_DIR = resolve(__dirname, '..');

/**
 * The path of the built binary (libs/testing's go-program: cached per sources and toolchain). A
 * cold build (empty module and build caches) downloads ~80 modules and compiles ~670 packages.
 */
export function buildKubeClient(): Promise<string> {
  return buildGoProgram(MODULE_DIR, 'kube-client');
}

// ---------------------------------------------------------------------------------------------
// webhook: kube-apiserver's token webhook authenticator behind its token cache.

export interface KubeUser {
  readonly username: string;
  readonly uid: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** What kube-apiserver's authenticator returned: (response, ok, err). */
export interface WebhookAnswer {
  readonly authenticated: boolean;
  readonly user?: KubeUser;
  readonly audiences?: readonly string[];
  readonly error?: string;
}

export interface WebhookOptions {
  readonly kubeconfig: string;
  /** --authentication-token-webhook-version; absent: kube-apiserver's default (v1beta1). */
  readonly version?: 'v1' | 'v1beta1';
  /** --authentication-token-webhook-cache-ttl (Go duration), both success and failure TTL; default 2m. */
  readonly cacheTTL?: string;
  /** --api-audiences: the webhook's implicit audiences. */
  readonly apiAudiences?: readonly string[];
}

export interface WebhookClient {
  /** One AuthenticateToken call; `audiences` are the request's (kube puts the API audiences there). */
  authenticate(token: string, audiences?: readonly string[]): Promise<WebhookAnswer>;
  close(): Promise<void>;
}

export function startWebhookClient(binary: string, options: WebhookOptions): WebhookClient {
  const args = ['webhook', '--kubeconfig', options.kubeconfig];
  if (options.version) args.push('--version', options.version);
  if (options.cacheTTL) args.push('--cache-ttl', options.cacheTTL);
  if (options.apiAudiences) args.push('--api-audiences', options.apiAudiences.join(','));
  const child: ChildProcessWithoutNullStreams = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map<string, { resolve: (a: WebhookAnswer) => void; reject: (e: Error) => void }>();
  let stderr = '';
  let exited: Error | undefined;
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-8000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const { id, ...answer } = JSON.parse(line) as WebhookAnswer & { id?: string };
    const waiter = id === undefined ? undefined : pending.get(id);
    if (id === undefined || !waiter) {
      // Only a bad request line has no id: fail every lookup in flight rather than hang.
      for (const w of pending.values()) w.reject(new Error(`kube-client webhook: ${line.slice(0, 300)}`));
      pending.clear();
      return;
    }
    pending.delete(id);
    waiter.resolve(answer);
  });
  const closed = new Promise<void>((resolveClosed) =>
    child.on('close', (code) => {
      exited = new Error(`kube-client webhook exited ${code}: ${stderr.slice(-2000)}`);
      for (const waiter of pending.values()) waiter.reject(exited);
      pending.clear();
      resolveClosed();
    }),
  );
  let next = 0;
  return {
    authenticate(token, audiences) {
      if (exited) return Promise.reject(exited);
      const id = String(++next);
      return new Promise<WebhookAnswer>((resolveAnswer, reject) => {
        pending.set(id, { resolve: resolveAnswer, reject });
        child.stdin.write(`${JSON.stringify({ id, op: 'authenticate', token, ...(audiences ? { audiences } : {}) })}\n`);
      });
    },
    async close() {
      child.stdin.end();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// whoami: client-go's SelfSubjectReview, as kubectl auth whoami sends it.

export interface WhoamiAnswer {
  readonly apiVersion: string;
  readonly userInfo?: KubeUser;
  readonly error?: string;
  /** HTTP code and reason of a kube Status error, as client-go decoded it. */
  readonly code?: number;
  readonly reason?: string;
}

export interface WhoamiOptions {
  readonly kubeconfig: string;
  readonly apiVersion: 'v1' | 'v1beta1' | 'v1alpha1';
  /** `protobuf`: ContentType set in rest.Config; `default`: client-go's own choice (kubectl's). */
  readonly contentType: 'protobuf' | 'default';
}

export function whoami(binary: string, options: WhoamiOptions): Promise<WhoamiAnswer> {
  return new Promise((resolveAnswer, reject) => {
    const child = spawn(binary, ['whoami', '--kubeconfig', options.kubeconfig, '--api-version', options.apiVersion, '--content-type', options.contentType], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`kube-client whoami exited ${code}: ${err}`));
      resolveAnswer(JSON.parse(out) as WhoamiAnswer);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// kubeconfig files, as kube-apiserver (webhook) and kubectl (whoami) read them.

export interface KubeconfigOptions {
  readonly server: string;
  readonly certificateAuthority?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  readonly token?: string;
}

export function kubeconfig(options: KubeconfigOptions): Record<string, unknown> {
  const user: Record<string, string> = {};
  if (options.clientCertificate) user['client-certificate'] = options.clientCertificate;
  if (options.clientKey) user['client-key'] = options.clientKey;
  if (options.token) user['token'] = options.token;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'authtrail', cluster: { server: options.server, ...(options.certificateAuthority ? { 'certificate-authority': options.certificateAuthority } : {}) } }],
    users: [{ name: 'caller', user }],
    contexts: [{ name: 'default', context: { cluster: 'authtrail', user: 'caller' } }],
    'current-context': 'default',
  };
}
