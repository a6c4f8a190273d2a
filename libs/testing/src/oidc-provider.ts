// A REAL OpenID Connect provider (`oidc-provider` from npm) for tests: discovery, JWKS and
// id-tokens signed by the provider itself, in a child process (the package is ESM-only) on a
// loopback port, over HTTPS with a freshly minted CA by default. Key rotation swaps the
// provider's keystore behind the same socket, as a restart with new keys would.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { rsaKeyPair, selfSignedCertificate, type TestKeyPair } from './keys';

export interface TestOidcProviderOptions {
  /** Signing keys, first = the one that signs (default: one fresh RSA key). */
  readonly keys?: readonly TestKeyPair[];
  /** Serve https with a self-signed certificate (default true); `ca` is then its PEM. */
  readonly tls?: boolean;
  readonly clientId?: string;
}

export interface MintIdTokenOptions {
  readonly sub: string;
  /** Extra claims set on the id-token (email, email_verified, groups, or anything else). */
  readonly claims?: Record<string, unknown>;
  /** Seconds from now; default: the provider's IdToken TTL (1 h). */
  readonly expiresIn?: number;
}

export interface TestOidcProvider {
  /** `https://127.0.0.1:<port>` — also the tokens' `iss`. */
  readonly issuer: string;
  /** PEM of the TLS certificate (trust it as the issuer's certificateAuthority); undefined over http. */
  readonly ca: string | undefined;
  /** The client id, which is the id-tokens' `aud`. */
  readonly clientId: string;
  /** The current signing keys, first = signing key. */
  readonly keys: readonly TestKeyPair[];
  /** An id-token issued and signed by oidc-provider for `sub`. */
  issueIdToken(options: MintIdTokenOptions): Promise<string>;
  /** Replaces the keystore (first key signs from now on); the JWKS serves exactly these keys. */
  rotateKeys(keys: readonly TestKeyPair[]): Promise<void>;
  /** Requests served, per path (`/.well-known/openid-configuration`, `/jwks`, ...). */
  requestCounts(): Promise<Readonly<Record<string, number>>>;
  stop(): Promise<void>;
}

const HARNESS = join(__dirname, '../harness/oidc-provider.mjs');

export async function startOidcProvider(options: TestOidcProviderOptions = {}): Promise<TestOidcProvider> {
  let keys = options.keys ?? [rsaKeyPair()];
  const clientId = options.clientId ?? 'authtrail-test-client';
  const tls = options.tls ?? true;
  let ca: string | undefined;
  let tlsConfig: { key: string; cert: string } | undefined;
  if (tls) {
    const serverKey = rsaKeyPair();
    ca = selfSignedCertificate(serverKey, { commonName: '127.0.0.1', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
    tlsConfig = { key: serverKey.privatePem, cert: ca };
  }
  const alg = keys[0]?.alg ?? 'RS256';
  const child: ChildProcess = fork(HARNESS, [], {
    env: { ...process.env, AUTHTRAIL_OIDC_HARNESS: JSON.stringify({ tls: tlsConfig, keys: keys.map((k) => k.privateJwk), clientId, alg }) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));

  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`oidc-provider harness did not start: ${stderr}`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`oidc-provider harness exited (${code}): ${stderr}`));
    });
    child.on('message', (message: { type?: string; issuer?: string }) => {
      if (message.type === 'ready' && message.issuer) {
        clearTimeout(timer);
        resolve(message.issuer);
      }
    });
  });

  let nextId = 0;
  const call = <T>(message: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (reply: { id?: number; error?: string } & T): void => {
        if (reply.id !== id) return;
        child.off('message', onMessage);
        if (reply.error) reject(new Error(`oidc-provider harness: ${reply.error}`));
        else resolve(reply);
      };
      child.on('message', onMessage);
      child.send({ ...message, id });
    });

  return {
    issuer,
    ca,
    clientId,
    get keys() {
      return keys;
    },
    issueIdToken: async ({ sub, claims, expiresIn }) => (await call<{ token: string }>({ type: 'mint', sub, claims, expiresIn })).token,
    rotateKeys: async (next) => {
      await call({ type: 'rotate', keys: next.map((k) => k.privateJwk) });
      keys = next;
    },
    requestCounts: async () => (await call<{ stats: Record<string, number> }>({ type: 'stats' })).stats,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
