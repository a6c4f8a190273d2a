// `static-token` (DESIGN §3.2): Bearer tokens from kube's token CSV, reloaded when the file
// changes. Only bearer credentials are its kind: anything else abstains.
import { timingSafeEqual } from 'node:crypto';
import { authorizationOf } from '../http/authorization-header';
import { loadAndWatch } from '../shared/file-reloader';
import { requestFingerprints } from '../shared/request-fingerprints';
import { createSecretHasher, type SecretHasher } from '../shared/secret-compare';
import { silentLogger, systemClock, type StrategyDeps } from '../shared/strategy-deps';
import type { AuthOutcome, CredentialDescription, RequestView, Strategy } from '../strategy';
import { STATIC_TOKEN_DEFAULTS, type StaticTokenConfig } from './static-token.config';
import { parseTokenFile, type StaticTokenEntry } from './token-file.parser';

export async function createStaticTokenStrategy(config: StaticTokenConfig, deps: StrategyDeps = {}): Promise<Strategy> {
  const now = deps.now ?? systemClock;
  // Keyed by the service's fingerprint when there is one: the request's one HMAC of the token
  // (shared with the cache key and the event) is then the lookup key too.
  const fingerprints = deps.fingerprints;
  const hasher: Pick<SecretHasher, 'digest'> = fingerprints ? { digest: fingerprints.fingerprint } : createSecretHasher();
  const digestOf = (request: RequestView, token: string): string => (fingerprints ? requestFingerprints(request, fingerprints).fingerprint(token) : hasher.digest(token));
  const table = await loadAndWatch({
    file: config.tokenFile,
    label: 'static-token',
    parse: (text) => parseTokenFile(text, hasher),
    logger: deps.logger ?? silentLogger,
    intervalMs: config.reloadIntervalMs ?? STATIC_TOKEN_DEFAULTS.reloadIntervalMs,
  });

  const authenticate = async (request: RequestView): Promise<AuthOutcome> => {
    const header = authorizationOf(request.headers);
    if (header.kind === 'malformed' && header.scheme === 'bearer') {
      return { kind: 'rejected', reason: 'malformed_credentials', message: header.problem };
    }
    if (header.kind !== 'bearer') return { kind: 'abstained' };

    // Lookup by HMAC digest, then a constant-time compare of the digests: no step branches on
    // the token's characters (see shared/secret-compare.ts).
    const digest = digestOf(request, header.token);
    const entry = table.current().get(digest);
    if (!entry || !timingSafeEqual(Buffer.from(entry.digest), Buffer.from(digest))) {
      return { kind: 'rejected', reason: 'unknown_token', message: 'token not recognised', credential: { type: 'static-token', secretForFingerprint: header.token } };
    }
    const credential = describe(entry, header.token);
    if (entry.expiresAt && now().getTime() >= entry.expiresAt.getTime()) {
      return { kind: 'rejected', reason: 'token_expired', message: `static token expired at ${entry.expiresAt.toISOString()}`, credential, claimedUsername: entry.username };
    }
    return {
      kind: 'authenticated',
      user: { username: entry.username, ...(entry.uid !== '' ? { uid: entry.uid } : {}), groups: entry.groups, extra: {} },
      credential,
    };
  };

  return { id: 'static-token', authenticate, close: () => table.close() };
}

function describe(entry: StaticTokenEntry, token: string): CredentialDescription {
  return {
    type: 'static-token',
    secretForFingerprint: token,
    ...(entry.uid !== '' ? { publicId: entry.uid } : {}),
    subject: entry.username,
    ...(entry.expiresAt ? { expiresAt: entry.expiresAt } : {}),
  };
}
