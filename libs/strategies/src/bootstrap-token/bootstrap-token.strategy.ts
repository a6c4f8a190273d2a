// `bootstrap-token` (DESIGN §3.2), the checks of Kubernetes' bootstrap token authenticator in
// its order: format, Secret by name, secret value (constant time), token-id, expiration,
// `usage-bootstrap-authentication`, extra groups. A bearer token not of the bootstrap form
// abstains, so other bearer strategies can try it.
import { timingSafeEqual } from 'node:crypto';
import { authorizationOf } from '../http/authorization-header';
import { loadAndWatch } from '../shared/file-reloader';
import { createSecretHasher } from '../shared/secret-compare';
import { silentLogger, systemClock, type StrategyDeps } from '../shared/strategy-deps';
import type { AuthOutcome, CredentialDescription, RequestView, Strategy } from '../strategy';
import { BOOTSTRAP_TOKEN_DEFAULTS, type BootstrapTokenConfig } from './bootstrap-token.config';
import { BOOTSTRAP_TOKEN_PATTERN, BOOTSTRAP_USER_PREFIX, bootstrapGroups } from './bootstrap-token.rules';
import { parseBootstrapSecrets } from './bootstrap-secrets.parser';

export async function createBootstrapTokenStrategy(config: BootstrapTokenConfig, deps: StrategyDeps = {}): Promise<Strategy> {
  const now = deps.now ?? systemClock;
  const hasher = createSecretHasher();
  const table = await loadAndWatch({
    file: config.secretsFile,
    label: 'bootstrap-token',
    parse: (text) => parseBootstrapSecrets(text, hasher),
    logger: deps.logger ?? silentLogger,
    intervalMs: config.reloadIntervalMs ?? BOOTSTRAP_TOKEN_DEFAULTS.reloadIntervalMs,
  });

  const authenticate = async (request: RequestView): Promise<AuthOutcome> => {
    const header = authorizationOf(request.headers);
    if (header.kind === 'malformed' && header.scheme === 'bearer') {
      return { kind: 'rejected', reason: 'malformed_credentials', message: header.problem };
    }
    if (header.kind !== 'bearer') return { kind: 'abstained' };
    const match = BOOTSTRAP_TOKEN_PATTERN.exec(header.token);
    if (!match) return { kind: 'abstained' };
    const tokenId = match[1] ?? '';
    const token = header.token;
    const username = BOOTSTRAP_USER_PREFIX + tokenId;
    const base: CredentialDescription = { type: 'bootstrap-token', secretForFingerprint: token, publicId: tokenId, subject: username };
    const reject = (reason: 'unknown_token' | 'bootstrap_token_expired' | 'bootstrap_token_not_for_authentication', message: string, credential = base): AuthOutcome => ({
      kind: 'rejected',
      reason,
      message,
      credential,
      claimedUsername: username,
    });

    const secret = table.current().get(tokenId);
    if (!secret) return reject('unknown_token', `no bootstrap token with id ${tokenId}`);
    // HMAC both sides, then timingSafeEqual (shared/secret-compare.ts): constant time.
    const presented = Buffer.from(hasher.digest(match[2] ?? ''), 'hex');
    const stored = Buffer.from(secret.secretDigest ?? hasher.digest(`\0missing:${tokenId}`), 'hex');
    if (!timingSafeEqual(presented, stored) || secret.secretDigest === undefined) {
      return reject('unknown_token', `bootstrap token ${tokenId} has a different secret`);
    }
    if (secret.tokenIdField !== tokenId) return reject('unknown_token', `bootstrap token Secret ${tokenId} has an invalid token-id`);
    const credential: CredentialDescription = secret.expiration.kind === 'at' ? { ...base, expiresAt: secret.expiration.at } : base;
    if (secret.expiration.kind === 'unparsable') return reject('bootstrap_token_expired', `bootstrap token ${tokenId} has an unparsable expiration`, credential);
    if (secret.expiration.kind === 'at' && now().getTime() > secret.expiration.at.getTime()) {
      return reject('bootstrap_token_expired', `bootstrap token ${tokenId} expired at ${secret.expiration.at.toISOString()}`, credential);
    }
    if (secret.usageAuthentication !== 'true') {
      return reject('bootstrap_token_not_for_authentication', `bootstrap token ${tokenId} is not marked usage-bootstrap-authentication=true`, credential);
    }
    const groups = bootstrapGroups(secret.extraGroups);
    if (!groups.ok) return reject('unknown_token', `bootstrap token ${tokenId} has invalid auth-extra-groups`, credential);
    return { kind: 'authenticated', user: { username, groups: groups.groups, extra: {} }, credential };
  };

  return { id: 'bootstrap-token', authenticate, close: () => table.close() };
}
