// `service-account`: Kubernetes service-account JWTs, bound (TokenRequest) and legacy (Secret),
// with kube-apiserver's rules (pkg/serviceaccount). Keys are imported once at startup.
//
// Issuer rule: a token whose `iss` is not one of ours abstains (another strategy may own that
// issuer), EXCEPT when it carries Kubernetes service-account claims: then it is a service-account
// token this strategy is the authority for, from a cluster we do not trust, and the attempt is
// recorded as `issuer_mismatch`. (Several service-account strategies still chain: firstMatch
// keeps trying after a rejection.)
import { readFile } from 'node:fs/promises';
import type { ReasonCode } from '@authtrail/events';
import type { AuthOutcome, CredentialDescription, RequestView, Strategy, UserInfo } from '../strategy';
import { silentLogger, systemClock, type StrategyDeps } from '../shared/strategy-deps';
import { loadAndWatch, FileLoadError } from '../shared/file-reloader';
import { bearerJwt, checkAlgorithm, jwtCredential, withGrantedAudiences } from '../jwt/bearer-jwt';
import type { JwtClaims } from '../jwt/compact-jwt.parser';
import { audiencesOf, bounded, checkTimes, intersect, stringClaim } from '../jwt/jwt-claims';
import { loadJwks, loadPemKeys, type VerificationKey } from '../jwt/verification-key.loader';
import { remoteKeyResolver, staticKeyResolver, type KeyResolver } from '../jwt/key-resolver';
import { verifySignature, type SignatureCheck } from '../jwt/jwt-signature.verifier';
import type { JwsAlgorithm } from '../jwt/jwt-algorithms';
import { createHttpFetch, type Fetch } from '../jwt/http-fetch';
import { maxTokenLifetimeSeconds } from '../jwt/token-lifetime.config';
import { LEGACY_SERVICE_ACCOUNT_ISSUER, SERVICE_ACCOUNT_DEFAULTS, type ServiceAccountConfig } from './service-account.config';
import { hasServiceAccountClaims, serviceAccountIdentity, serviceAccountUsername, type ServiceAccountIdentity } from './service-account-claims';
import { parseServiceAccountRegistry, type ServiceAccountRegistry } from './service-account-registry';

export interface ServiceAccountDeps extends StrategyDeps {
  /** For `jwksUrl` (tests count requests); default: node:http(s) with the configured CA. */
  readonly fetch?: Fetch;
  /** Tests shorten these; operators get SERVICE_ACCOUNT_DEFAULTS. */
  readonly jwksCooldownMs?: number;
  readonly jwksCacheMaxAgeMs?: number;
}

export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/** Thrown at startup only: a key file or registry that cannot be used. Never carries key material. */
export class ServiceAccountConfigError extends Error {
  override readonly name = 'ServiceAccountConfigError';
}

/** `raw` has passed `configSchema`; defaults are applied here. */
export async function createServiceAccountStrategy(raw: ServiceAccountConfig, deps: ServiceAccountDeps = {}): Promise<Strategy> {
  const config = withDefaults(raw);
  const now = deps.now ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const leewaySeconds = config.leewaySeconds;
  const maxLifetimeSeconds = maxTokenLifetimeSeconds(config.maxTokenLifetime);
  const audiences = config.audiences ?? config.issuers;
  const resolvers = await keyResolvers(config, deps);
  const registry = config.serviceAccountsFile
    ? await loadAndWatch<ServiceAccountRegistry>({
        file: config.serviceAccountsFile,
        label: 'service-account',
        parse: parseServiceAccountRegistry,
        logger,
        intervalMs: config.reloadIntervalMs,
      }).catch((error: unknown) => {
        throw new ServiceAccountConfigError(error instanceof FileLoadError ? error.message : 'serviceAccountsFile cannot be loaded');
      })
    : undefined;

  const rejected = (reason: ReasonCode, message: string, credential?: CredentialDescription, claims?: JwtClaims): AuthOutcome => {
    const sub = claims ? stringClaim(claims, 'sub') : undefined;
    return { kind: 'rejected', reason, message, ...(credential ? { credential } : {}), ...(sub ? { claimedUsername: bounded(sub) } : {}) };
  };

  return {
    id: 'service-account',
    async authenticate(request: RequestView): Promise<AuthOutcome> {
      const presented = bearerJwt(request.headers);
      if (presented.kind === 'none') return { kind: 'abstained' };
      if (presented.kind === 'malformed') return rejected('malformed_credentials', presented.message);
      const { token, header, claims } = presented;
      const iss = stringClaim(claims, 'iss');
      const legacy = iss === LEGACY_SERVICE_ACCOUNT_ISSUER && config.acceptLegacyTokens;
      const ours = iss !== undefined && (legacy || config.issuers.includes(iss));
      const credential = jwtCredential('service-account', token, claims);
      if (!ours) {
        if (iss === LEGACY_SERVICE_ACCOUNT_ISSUER) return rejected('issuer_mismatch', 'legacy service-account tokens are not accepted (acceptLegacyTokens is off)', credential, claims);
        if (!hasServiceAccountClaims(claims)) return { kind: 'abstained' };
        return rejected('issuer_mismatch', 'service-account token from an issuer this service does not trust', credential, claims);
      }

      const algorithm = checkAlgorithm(header.alg, config.algorithms);
      if (algorithm.kind === 'refused') return rejected(algorithm.reason, algorithm.message, credential, claims);
      const signature = await verifyWithAny(token, algorithm.alg, header.kid, resolvers);
      if (signature.kind === 'errored') return { kind: 'errored', reason: signature.reason, message: signature.message };
      if (signature.kind === 'rejected') return rejected(signature.reason, signature.message, credential, claims);

      const times = checkTimes(claims, Math.floor(now().getTime() / 1000), { leewaySeconds, requireExp: !legacy, maxLifetimeSeconds });
      if (times.kind === 'failed') return rejected(times.reason, times.message, credential, claims);

      const tokenAudiences = audiencesOf(claims);
      if (tokenAudiences === undefined) return rejected('malformed_credentials', 'aud is neither a string nor a list of strings', credential, claims);
      // Legacy tokens have no aud: they are valid for the service's own audiences (kube's implicit audiences).
      const effective = tokenAudiences.length === 0 && legacy ? audiences : tokenAudiences;
      const granted = intersect(effective, request.audiences.length > 0 ? request.audiences : audiences);
      if (granted.length === 0) return rejected('audience_mismatch', 'token is not meant for the requested audience', credential, claims);

      const parsed = serviceAccountIdentity(claims, legacy);
      if (parsed.kind === 'invalid') return rejected('missing_claim', parsed.message, credential, claims);
      const { identity } = parsed;

      if (registry) {
        const uid = registry.current().uidOf(identity.namespace, identity.name);
        // A different uid means the account was deleted and re-created: old tokens must die with it.
        if (uid === undefined || uid !== identity.uid) {
          return rejected('service_account_unknown', 'service account does not exist (or was re-created)', credential, claims);
        }
      }
      // `credential` lists the token's audiences (aud is well-formed here): the granted ones replace them.
      const accepted = withGrantedAudiences(credential, granted);
      // The marker policy turns into a warning on every use (the opt-in is not a blessing).
      return { kind: 'authenticated', user: userOf(identity, stringClaim(claims, 'jti')), credential: legacy ? { ...accepted, legacyToken: true } : accepted, audiences: granted };
    },
    async close() {
      await registry?.close();
    },
  };
}

/**
 * Valid if any key source verifies it. Otherwise an unreachable source wins over a rejection
 * (the key might be the one we could not read: that is "could not decide", not "bad").
 */
async function verifyWithAny(token: string, alg: JwsAlgorithm, kid: string | undefined, resolvers: readonly KeyResolver[]): Promise<SignatureCheck> {
  let failure: SignatureCheck = { kind: 'rejected', reason: 'bad_signature', message: 'no key source' };
  for (const resolver of resolvers) {
    const check = await verifySignature(token, alg, kid, resolver);
    if (check.kind === 'valid') return check;
    if (failure.kind !== 'errored') failure = check;
  }
  return failure;
}

function userOf(identity: ServiceAccountIdentity, jti: string | undefined): UserInfo {
  const extra: Record<string, readonly string[]> = {};
  if (identity.pod) {
    extra[EXTRA_POD_NAME] = [identity.pod.name];
    extra[EXTRA_POD_UID] = [identity.pod.uid];
  }
  if (identity.node) {
    extra[EXTRA_NODE_NAME] = [identity.node.name];
    if (identity.node.uid) extra[EXTRA_NODE_UID] = [identity.node.uid];
  }
  if (jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${jti}`];
  return {
    username: serviceAccountUsername(identity.namespace, identity.name),
    uid: identity.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${identity.namespace}`],
    extra,
  };
}

type ResolvedConfig = ServiceAccountConfig & Required<Pick<ServiceAccountConfig, 'algorithms' | 'acceptLegacyTokens' | 'leewaySeconds' | 'reloadIntervalMs'>>;

function withDefaults(config: ServiceAccountConfig): ResolvedConfig {
  if (!config.keyFiles && !config.jwksFile && !config.jwksUrl) {
    throw new ServiceAccountConfigError('set at least one of keyFiles, jwksFile, jwksUrl');
  }
  return {
    ...config,
    algorithms: config.algorithms ?? SERVICE_ACCOUNT_DEFAULTS.algorithms,
    acceptLegacyTokens: config.acceptLegacyTokens ?? SERVICE_ACCOUNT_DEFAULTS.acceptLegacyTokens,
    leewaySeconds: config.leewaySeconds ?? SERVICE_ACCOUNT_DEFAULTS.leewaySeconds,
    reloadIntervalMs: config.reloadIntervalMs ?? SERVICE_ACCOUNT_DEFAULTS.reloadIntervalMs,
  };
}

/** Static keys first (PEM files and JWKS file, imported once), then the remote JWKS if any. */
async function keyResolvers(config: ResolvedConfig, deps: ServiceAccountDeps): Promise<readonly KeyResolver[]> {
  const keys: VerificationKey[] = [];
  for (const file of config.keyFiles ?? []) {
    const loaded = loadPemKeys(await readText(file, 'keyFiles'), file, config.algorithms);
    if (loaded.kind === 'invalid') throw new ServiceAccountConfigError(loaded.message);
    keys.push(...loaded.keys);
  }
  if (config.jwksFile) {
    let document: unknown;
    try {
      document = JSON.parse(await readText(config.jwksFile, 'jwksFile'));
    } catch (error) {
      if (error instanceof ServiceAccountConfigError) throw error;
      throw new ServiceAccountConfigError(`${config.jwksFile}: not JSON`);
    }
    const loaded = loadJwks(document, config.jwksFile, config.algorithms);
    if (loaded.kind === 'invalid') throw new ServiceAccountConfigError(loaded.message);
    keys.push(...loaded.keys);
  }
  const resolvers: KeyResolver[] = keys.length > 0 ? [staticKeyResolver(keys)] : [];
  if (config.jwksUrl) {
    const ca = config.jwksCertificateAuthorityFile ? await readText(config.jwksCertificateAuthorityFile, 'jwksCertificateAuthorityFile') : undefined;
    const fetch = deps.fetch ?? createHttpFetch(ca ? { ca } : {});
    resolvers.push(
      remoteKeyResolver(new URL(config.jwksUrl), {
        fetch,
        cooldownMs: deps.jwksCooldownMs ?? SERVICE_ACCOUNT_DEFAULTS.jwksCooldownMs,
        cacheMaxAgeMs: deps.jwksCacheMaxAgeMs ?? SERVICE_ACCOUNT_DEFAULTS.jwksCacheMaxAgeMs,
        timeoutMs: SERVICE_ACCOUNT_DEFAULTS.jwksTimeoutMs,
        allowed: config.algorithms,
      }),
    );
  }
  if (resolvers.length === 0) throw new ServiceAccountConfigError('no verification key configured');
  return resolvers;
}

async function readText(file: string, key: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ServiceAccountConfigError(`${key}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
