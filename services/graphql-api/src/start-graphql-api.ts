// Runs the API from the config (DESIGN §8): the same strategies as authn (or
// `graphql.auth.strategies`), the fingerprint keys, a listener on graphql.host:port. The all-in-one
// `npm start` passes its own data source and publisher; `main.ts` lets this open them.
import type { AuthtrailConfig, StrategyConfigEntry } from '@authtrail/config';
import { decodeFingerprintSecret } from '@authtrail/config';
import type { Publisher } from '@authtrail/event-bus';
import { createFingerprinter, eventSource } from '@authtrail/events';
import { openReadModel } from '@authtrail/read-model';
import { cached, createStrategy, firstMatch, type Strategy, type StrategyDeps, withGroups } from '@authtrail/strategies';
import type { FastifyBaseLogger } from 'fastify';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { buildGraphqlServer, type GraphqlServer, type GraphqlServerDeps } from './server/build-graphql-server';
import type { GraphqlLimits } from './services';

export interface StartGraphqlApiDeps {
  /** Shared data source (`npm start`); absent: one is opened from `database.url` and closed on close. */
  readonly dataSource?: DataSource;
  /** Control-event publisher for mutations; absent: mutations answer NOT_CONFIGURED. */
  readonly publisher?: Publisher;
  readonly logger?: FastifyBaseLogger;
  readonly limits?: Partial<GraphqlLimits>;
  /** Overrides the listener port (tests: 0). */
  readonly port?: number;
  readonly strategyDeps?: StrategyDeps;
}

export interface RunningGraphqlApi {
  readonly server: GraphqlServer;
  /** e.g. `http://127.0.0.1:4000` */
  readonly url: string;
  close(): Promise<void>;
}

/** `graphql.auth.strategies` when the config has it, else `authn.strategies`; anonymous never authenticates API callers. */
export function apiStrategyEntries(config: AuthtrailConfig): readonly StrategyConfigEntry[] {
  const own = config.graphql.auth.strategies;
  return (own && own.length > 0 ? own : config.authn.strategies).filter((s) => s.id !== 'anonymous');
}

export async function buildApiAuthenticator(config: AuthtrailConfig, deps: StrategyDeps = {}): Promise<Strategy | null> {
  if (!config.graphql.auth.enabled) return null;
  const entries = apiStrategyEntries(config);
  const strategies = await Promise.all(entries.map((entry, i) => createStrategy(entry, deps, `graphql.auth.strategies[${i}]`)));
  return withGroups(cached(firstMatch(strategies), { successTTLms: config.authn.cache.successTTL, failureTTLms: config.authn.cache.failureTTL }));
}

/** The hashing the API needs from the fingerprint keys; undefined without a key. */
function fingerprintingOf(config: AuthtrailConfig): Pick<GraphqlServerDeps, 'fingerprint' | 'usernameHashes'> | undefined {
  const keys = config.fingerprint.keys.flatMap((k) => {
    const secret = decodeFingerprintSecret(k.secret);
    return secret ? [{ id: k.id, secret }] : [];
  });
  if (keys.length === 0) return undefined;
  const fingerprinter = createFingerprinter({ keys });
  // Every key, not just the writing one: names hashed before a key rotation are still found.
  return { fingerprint: (secret) => fingerprinter.fingerprint(secret), usernameHashes: (name) => fingerprinter.usernameHashCandidates(name) };
}

/** The config's `graphql.limits` in the server's terms; the rest keep DEFAULT_LIMITS. */
function limitsOf(config: AuthtrailConfig): Partial<GraphqlLimits> {
  const { maxPageSize, maxDepth, maxAliases, maxComplexity, queryTimeout } = config.graphql.limits;
  return { maxPageSize, maxDepth, maxAliases, maxComplexity, queryTimeoutMs: queryTimeout };
}

export async function startGraphqlApi(config: AuthtrailConfig, deps: StartGraphqlApiDeps = {}): Promise<RunningGraphqlApi> {
  const ownDataSource = deps.dataSource === undefined;
  const url = config.database.url;
  if (ownDataSource && !url) throw new Error('database.url is required to start the GraphQL API on its own');
  const dataSource = deps.dataSource ?? (await openReadModel(url ?? '', { applicationName: 'authtrail-graphql-api' }));
  const authenticator = await buildApiAuthenticator(config, deps.strategyDeps);
  const fingerprinting = fingerprintingOf(config);
  const server = await buildGraphqlServer({
    dataSource,
    authenticator,
    access: { viewerGroups: config.graphql.viewerGroups, adminGroups: config.graphql.adminGroups },
    introspection: config.graphql.introspection,
    playground: config.graphql.playground,
    limits: { ...limitsOf(config), ...deps.limits },
    ...fingerprinting,
    ...(deps.publisher ? { control: { publisher: deps.publisher, source: eventSource('graphql-api', hostname()) } } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
    trustProxy: config.authn.trustedProxies,
  });
  const address = await server.app.listen({ host: config.graphql.host, port: deps.port ?? config.graphql.port });
  return {
    server,
    url: address,
    async close() {
      await server.close();
      await authenticator?.close?.();
      if (ownDataSource) await dataSource.destroy();
    },
  };
}
