// Runs the API from the config (DESIGN §8): callers are decisions of the shared composition root
// (libs/authentication: the chain of `authn.strategies` or `graphql.auth.strategies`, policy,
// revocations and throttling replayed from the control topic, a producer boot of its own whose
// decision events say endpoint `graphql`), the fingerprint keys, a listener on graphql.host:port.
// The all-in-one `npm start` passes its own data source and bus; `main.ts` lets this open them.
import type { AuthtrailConfig, StrategyConfigEntry } from '@authtrail/config';
import { decodeFingerprintSecret } from '@authtrail/config';
import type { Publisher, Subscriber } from '@authtrail/event-bus';
import { createFingerprinter, eventSource } from '@authtrail/events';
import { createTrustedProxies, graphqlInstanceOf, startAuthentication, type AuthenticationRoot, type EventPublisher, type StrategyRegistry } from '@authtrail/authentication';
import { openReadModel } from '@authtrail/read-model';
import { createStrategy } from '@authtrail/strategies';
import type { FastifyBaseLogger } from 'fastify';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { decisionAuthenticator } from './auth/caller';
import { liveDecisionFeed } from './feed/live-decision-feed';
import { createGraphqlMetrics } from './observability/graphql-metrics';
import { buildGraphqlServer, type GraphqlServer, type GraphqlServerDeps } from './server/build-graphql-server';
import type { GraphqlLimits } from './services';

export interface StartGraphqlApiDeps {
  /** Shared data source (`npm start`); absent: one is opened from `database.url` and closed on close. */
  readonly dataSource?: DataSource;
  /** Control-event publisher for mutations; absent: mutations answer NOT_CONFIGURED. */
  readonly publisher?: Publisher;
  /** Where the callers' decision events go (`events.mode`); default: `publisher`. */
  readonly decisionPublisher?: Publisher;
  /** Replays the control topic (policy, revocations) for the callers' decisions; absent: no policy (tests only). */
  readonly subscriber?: Subscriber;
  readonly logger?: FastifyBaseLogger;
  readonly limits?: Partial<GraphqlLimits>;
  /** Overrides the listener port (tests: 0). */
  readonly port?: number;
  /** Strategy factories (default: libs/strategies' registry). */
  readonly registry?: StrategyRegistry;
  /** The producer instance of the decision events (default `graphql-api@<authn instance or host name>`). */
  readonly instance?: string;
  /**
   * Where the API's metrics register (`npm start`: the process-wide registry, which also holds the
   * process metrics). Absent: a registry of its own with the default process metrics.
   */
  readonly metricsRegistry?: Registry;
}

export interface RunningGraphqlApi {
  readonly server: GraphqlServer;
  /** e.g. `http://127.0.0.1:4000` */
  readonly url: string;
  /** The callers' decision path; absent with `graphql.auth.enabled: false`. */
  readonly authentication?: AuthenticationRoot;
  close(): Promise<void>;
}

/** `graphql.auth.strategies` when the config has it, else `authn.strategies`; anonymous never authenticates API callers. */
export function apiStrategyEntries(config: AuthtrailConfig): readonly StrategyConfigEntry[] {
  const own = config.graphql.auth.strategies;
  return (own && own.length > 0 ? own : config.authn.strategies).filter((s) => s.id !== 'anonymous');
}

/** The chain config of API callers: authn's cache settings, the API's strategies, never anonymous. */
function apiChainOf(config: AuthtrailConfig): { readonly authn: AuthtrailConfig['authn']; readonly path: string } {
  const own = config.graphql.auth.strategies;
  return {
    authn: { ...config.authn, strategies: apiStrategyEntries(config), anonymous: { enabled: false } },
    path: own && own.length > 0 ? 'graphql.auth.strategies' : 'authn.strategies',
  };
}

/** The callers' composition root, or null with `graphql.auth.enabled: false` (everyone is a viewer). */
export async function startApiAuthentication(config: AuthtrailConfig, deps: Pick<StartGraphqlApiDeps, 'subscriber' | 'registry' | 'instance'> & { readonly publisher: Publisher; readonly logger: Logger }): Promise<AuthenticationRoot | null> {
  if (!config.graphql.auth.enabled) return null;
  return startAuthentication(config, {
    service: 'graphql-api',
    instance: deps.instance ?? graphqlInstanceOf(config),
    publisher: deps.publisher,
    ...(deps.subscriber ? { subscriber: deps.subscriber } : {}),
    logger: deps.logger,
    registry: deps.registry ?? { createStrategy },
    chain: apiChainOf(config),
  });
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

/**
 * Control events join this instance's hash chain when the chain publishes on the same publisher:
 * through two publishers, their order within a partition would not be the chain's.
 */
function chainOf(authentication: { readonly events: EventPublisher } | null, publisher: Publisher, decisionPublisher: Publisher | undefined): { events?: EventPublisher } {
  return authentication && decisionPublisher === publisher ? { events: authentication.events } : {};
}

/** The standalone process's registry: the API's metrics and, once, the unprefixed process metrics. */
function ownMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export async function startGraphqlApi(config: AuthtrailConfig, deps: StartGraphqlApiDeps = {}): Promise<RunningGraphqlApi> {
  const ownDataSource = deps.dataSource === undefined;
  const url = config.database.url;
  if (ownDataSource && !url) throw new Error('database.url is required to start the GraphQL API on its own');
  const decisionPublisher = deps.decisionPublisher ?? deps.publisher;
  if (config.graphql.auth.enabled && !decisionPublisher) throw new Error('the GraphQL API records its callers\' decisions: a publisher is required');
  const dataSource = deps.dataSource ?? (await openReadModel(url ?? '', { applicationName: 'authtrail-graphql-api' }));
  const logger = (deps.logger as Logger | undefined) ?? pino({ level: 'silent' });
  const authentication = decisionPublisher ? await startApiAuthentication(config, { ...deps, publisher: decisionPublisher, logger: logger.child({ component: 'authentication' }) }) : null;
  const access = { viewerGroups: config.graphql.viewerGroups, adminGroups: config.graphql.adminGroups };
  const fingerprinting = fingerprintingOf(config);
  const metrics = createGraphqlMetrics(deps.metricsRegistry ?? ownMetricsRegistry(), authentication?.ready ? { ready: authentication.ready } : {});
  // One LISTEN connection feeds every subscription of this instance (opened at the first one).
  const feed = liveDecisionFeed(dataSource, url, logger);
  let server: GraphqlServer | undefined;
  let address: string;
  try {
    await authentication?.announce();
    server = await buildGraphqlServer({
      dataSource,
      authenticator: authentication ? decisionAuthenticator(authentication.decisions(metrics.decisions), access) : null,
      ...(authentication?.ready ? { ready: authentication.ready } : {}),
      ...(authentication ? { integrityKeys: authentication.events.keys } : {}),
      introspection: config.graphql.introspection,
      playground: config.graphql.playground,
      limits: { ...limitsOf(config), ...deps.limits },
      ...fingerprinting,
      ...(deps.publisher ? { control: { publisher: deps.publisher, ...chainOf(authentication, deps.publisher, decisionPublisher), source: eventSource('graphql-api', authentication?.instance ?? graphqlInstanceOf(config)), readModel: dataSource } } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
      trustedProxies: createTrustedProxies(config.authn.trustedProxies, config.authn.clientCertificateProxies),
      metrics,
      ...(feed ? { feed } : {}),
    });
    address = await server.app.listen({ host: config.graphql.host, port: deps.port ?? config.graphql.port });
  } catch (error) {
    await server?.close();
    await authentication?.close(config.authn.limits.shutdownGrace);
    if (ownDataSource) await dataSource.destroy();
    throw error;
  }
  const running = server;
  // Serve (not ready) while the control topic is replayed.
  authentication?.loadControl();
  return {
    server: running,
    url: address,
    ...(authentication ? { authentication } : {}),
    async close() {
      await running.close();
      await authentication?.close(config.authn.limits.shutdownGrace);
      if (ownDataSource) await dataSource.destroy();
    },
  };
}
