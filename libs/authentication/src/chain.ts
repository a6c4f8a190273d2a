// The composition root (STYLE 2): the ONLY place that knows the order of the chain, for authn
// and for graphql-api's callers alike (issue #15: one chain, one order, one cache policy).
//
//   cached( withGroups( firstMatch([...configured strategies in config order], { anonymous }) ) )
//
// - order: exactly `authn.strategies` (a strategy id may appear twice, e.g. two OIDC issuers),
//   or the list graphql-api was given (`graphql.auth.strategies`, anonymous removed);
// - firstMatch: first authenticated wins, any rejection beats anonymous (fail on error);
// - withGroups: every authenticated user (not anonymous) also gets `system:authenticated`;
// - cached: outermost, so a hit skips every strategy; HMAC-keyed, success/failure TTLs from
//   `authn.cache`; requests with no credential bypass it (anonymous depends on the path); given
//   the fingerprint function, entries keep the credential's fingerprint, never its secret; with
//   both TTLs 0 there is no cache layer at all (no key, no single-flight), as kube-apiserver's
//   pkg/kubeapiserver/authenticator/config.go wraps its token authenticators only when a TTL > 0;
// - anonymous: last, only when `authn.anonymous.enabled` (or an `anonymous` item is listed).
// - `authn.authenticationConfiguration` (kube-apiserver's --authentication-config file): its jwt[]
//   authenticators after the listed strategies (one `oidc` strategy, reloaded on change), its
//   `anonymous` section as the anonymous strategy (exclusive with authn.anonymous, as in kube).
import type { AuthnConfig, StrategyConfigEntry } from '@authtrail/config';
import {
  cached,
  firstMatch,
  startAuthenticationConfiguration,
  withGroups,
  type AuthenticationConfigurationController,
  type CacheStats,
  type ChainStrategy,
  type Strategy,
  type StrategyDeps,
} from '@authtrail/strategies';

/** What the chain needs from `libs/strategies`' registry (injected so tests and `npm start` can pass their own). */
export interface StrategyRegistry {
  createStrategy(config: StrategyConfigEntry, deps: StrategyDeps, path: string): Promise<Strategy>;
}

export interface ComposedChain {
  readonly chain: ChainStrategy;
  /** A basic-auth strategy is configured (401s offer `WWW-Authenticate: Basic`). */
  readonly basicAuth: boolean;
  readonly strategyIds: readonly string[];
  /** The AuthenticationConfiguration file in force (`authn.authenticationConfiguration`), for its reload metrics. */
  readonly authenticationConfiguration?: AuthenticationConfigurationController;
  /** `undefined` when the cache is off (both TTLs 0). */
  cacheStats(): CacheStats | undefined;
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** The credential fingerprint: without it the cache keeps outcomes as strategies return them (chain tests only). */
  readonly fingerprint?: (secret: string) => string;
  /** The fingerprint under every configured key (rotation): cached entries carry them all. */
  readonly candidates?: (secret: string) => readonly string[];
  /** Names the strategy list in config errors (`graphql.auth.strategies` for API-only strategies). */
  readonly path?: string;
}

export async function composeChain(authn: AuthnConfig, registry: StrategyRegistry, deps: StrategyDeps, options: ComposeOptions = {}): Promise<ComposedChain> {
  const { fingerprint, candidates, path = 'authn.strategies' } = options;
  const created: Strategy[] = [];
  let anonymous: Strategy | undefined;
  let kube: AuthenticationConfigurationController | undefined;
  try {
    for (const [index, entry] of authn.strategies.entries()) {
      const strategy = await registry.createStrategy(entry, deps, `${path}[${index}]`);
      if (entry.id === 'anonymous') anonymous = strategy;
      else created.push(strategy);
    }
    if (authn.authenticationConfiguration) {
      kube = await startAuthenticationConfiguration({
        ...deps,
        file: authn.authenticationConfiguration,
        anonymousConfiguredElsewhere: anonymous !== undefined || authn.anonymous.enabled || authn.anonymous.paths !== undefined,
        // kube: a JWT authenticator may not claim a service-account issuer.
        disallowedIssuers: authn.strategies.filter((s) => s.id === 'service-account').flatMap((s) => (Array.isArray(s['issuers']) ? (s['issuers'] as string[]) : [])),
      });
      created.push(kube.jwt); // its close() stops the file watch
      anonymous ??= kube.anonymous;
    }
    if (!anonymous && authn.anonymous.enabled) {
      const entry = { id: 'anonymous' as const, ...(authn.anonymous.paths ? { paths: [...authn.anonymous.paths] } : {}) };
      anonymous = await registry.createStrategy(entry, deps, 'authn.anonymous');
    }
  } catch (error) {
    await Promise.allSettled([...created, ...(anonymous ? [anonymous] : [])].map((s) => s.close?.()));
    throw error;
  }

  const evaluated = withGroups(firstMatch(created, anonymous ? { anonymous } : {}), ['system:authenticated']);
  const cache =
    authn.cache.successTTL > 0 || authn.cache.failureTTL > 0
      ? cached(evaluated, {
          successTTLms: authn.cache.successTTL,
          failureTTLms: authn.cache.failureTTL,
          maxEntries: authn.cache.maxEntries,
          ...(fingerprint ? { fingerprint } : {}),
          ...(candidates ? { candidates } : {}),
        })
      : undefined;
  const chain = cache ?? evaluated;
  return {
    chain,
    basicAuth: authn.strategies.some((s) => s.id === 'basic-auth'),
    strategyIds: [...created.map((s) => s.id), ...(anonymous ? [anonymous.id] : [])],
    ...(kube ? { authenticationConfiguration: kube } : {}),
    cacheStats: () => cache?.stats(),
    close: () => chain.close?.() ?? Promise.resolve(),
  };
}
