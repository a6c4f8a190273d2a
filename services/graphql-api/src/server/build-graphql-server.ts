// Composition root of the API: schema, Apollo, fastify routes, graphql-ws. Built without
// listening (tests use real sockets via listen on 127.0.0.1:0; `startGraphqlApi` listens).
import type { VerificationKeyRing } from '@authtrail/integrity';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { DataSource } from 'typeorm';
import { newEventId } from '@authtrail/events';
import type { CallerAuthenticator } from '../auth/caller';
import type { GraphqlContext } from '../context';
import { formatError } from '../errors/format-error';
import { createPollingDecisionFeed, type DecisionFeed } from '../feed/decision-feed';
import { aliasLimitRule } from '../limits/alias-limit.rule';
import { paginatedRootFields } from '../limits/complexity';
import { complexityPlugin } from '../limits/complexity.plugin';
import { depthLimitRule } from '../limits/depth-limit.rule';
import { playgroundRoutes } from '../playground/playground.route';
import { buildExecutableSchema } from '../schema/executable-schema';
import { type ControlPublisher, DEFAULT_LIMITS, type GraphqlLimits, type GraphqlServices } from '../services';
import { createTrustedProxies, type TrustedProxies } from '@authtrail/authentication';
import type { GraphqlMetrics } from '../observability/graphql-metrics';
import { graphqlRoutes } from './graphql-http.route';
import { attachGraphqlWs } from './graphql-ws.server';

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlServerDeps {
  /** An initialized read-model data source (`openReadModel`); shared with the projector in `npm start`. */
  readonly dataSource: DataSource;
  /** Callers as decisions of the shared decision path (`decisionAuthenticator`); null disables auth (everyone is a viewer). */
  readonly authenticator: CallerAuthenticator | null;
  /** Readiness besides the database: the control topic (policy, revocations) has been replayed. */
  readonly ready?: () => boolean;
  /** The public keys of this instance's integrity checkpoints (its producer boot's), served at `/v1/integrity/keys`. */
  readonly integrityKeys?: VerificationKeyRing;
  readonly introspection?: boolean;
  readonly playground?: boolean;
  readonly limits?: Partial<GraphqlLimits>;
  /** `credentialFingerprint`; absent → NOT_CONFIGURED. */
  readonly fingerprint?: (secret: string) => string;
  /** Username hashes under every configured key (`claimedUsername`, `failureStats(usernames:)`); absent → NOT_CONFIGURED. */
  readonly usernameHashes?: (username: string) => readonly string[];
  /** Where mutations publish control events; absent → NOT_CONFIGURED. */
  readonly control?: ControlPublisher;
  /** The live decision feed; default: poll the decision table. */
  readonly feed?: DecisionFeed;
  readonly feedIntervalMs?: number;
  readonly now?: () => Date;
  readonly logger?: FastifyBaseLogger;
  /** Proxies whose X-Forwarded-* (and certificate headers) describe the caller; default: none. */
  readonly trustedProxies?: TrustedProxies;
  /** Sees every SQL statement of HTTP operations (metrics, slow-query logs, query-count tests). */
  readonly onQuery?: (sql: string) => void;
  /** Served on GET /metrics (public, like the probes) and fed one sample per answer; absent: no /metrics. */
  readonly metrics?: GraphqlMetrics;
}

export interface GraphqlServer {
  readonly app: FastifyInstance;
  /** Stops subscriptions, Apollo and the HTTP server; does not close the data source (not ours). */
  close(): Promise<void>;
}

export async function buildGraphqlServer(deps: GraphqlServerDeps): Promise<GraphqlServer> {
  const limits: GraphqlLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const introspection = deps.introspection ?? false;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: limits.bodyLimitBytes,
    // fastify's own request log prints the URL with its query string, and a GET operation carries
    // its variables there (credentialFingerprint's secret). We log our own line without it.
    logController: new LogController({ disableRequestLogging: true }),
  });
  const log = (error: unknown) => app.log.error({ err: error }, 'graphql resolver failed');

  const feed = deps.feed ?? createPollingDecisionFeed({ db: deps.dataSource, intervalMs: deps.feedIntervalMs, onError: (e) => app.log.warn({ err: e }, 'decision feed poll failed') });
  const services: GraphqlServices = {
    limits,
    now: deps.now ?? (() => new Date()),
    newEventId: (time) => newEventId(time),
    ...(deps.fingerprint ? { fingerprint: deps.fingerprint } : {}),
    ...(deps.usernameHashes ? { usernameHashes: deps.usernameHashes } : {}),
    ...(deps.control ? { control: deps.control } : {}),
    ...(deps.integrityKeys ? { integrityKeys: deps.integrityKeys } : {}),
    feed,
  };

  const schema = buildExecutableSchema();
  const validationRules = [depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases)];
  const apollo = new ApolloServer<GraphqlContext>({
    schema,
    introspection,
    validationRules,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    hideSchemaDetailsFromClientErrors: !introspection,
    formatError: (formatted, error) => formatError(formatted, error, log),
    plugins: [ApolloServerPluginLandingPageDisabled(), complexityPlugin({ maxComplexity: limits.maxComplexity, defaultPageSize: limits.defaultPageSize, maxPageSize: limits.maxPageSize, paginatedFields: paginatedRootFields(schema) })],
  });
  await apollo.start();

  // Framework-level 4xx (bad JSON, body too large, wrong content type) in the same coded shape.
  app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) app.log.error({ err: error }, 'graphql-api request failed');
    return reply.code(status).send({ errors: [{ message: status === 500 ? 'internal error' : (error.message ?? 'bad request'), extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ errors: [{ message: 'not found', extensions: { code: 'NOT_FOUND' } }] }));

  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    // The route pattern, never the URL: query strings carry variables (and secrets).
    deps.metrics?.recordRequest(request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Public like authn's: they verify checkpoints, they sign nothing (docs/integrity.md).
  const integrityKeys = deps.integrityKeys;
  if (integrityKeys) app.get('/v1/integrity/keys', async () => integrityKeys.toJwks());
  const metrics = deps.metrics;
  if (metrics) app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.get('/readyz', async (_request, reply) => {
    // Callers are decided under policy and revocations: not ready before they are loaded.
    if (deps.ready && !deps.ready()) return reply.code(503).send({ status: 'control state loading' });
    try {
      await deps.dataSource.query('SELECT 1');
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database unavailable' });
    }
  });
  // Public context: the playground page holds no data.
  if (deps.playground ?? true) await app.register(playgroundRoutes, { endpoint: GRAPHQL_PATH, introspection });
  // Authenticated context: the auth hook applies to everything registered inside.
  const trustedProxies = deps.trustedProxies ?? createTrustedProxies([]);
  await app.register(graphqlRoutes, { apollo, dataSource: deps.dataSource, authenticator: deps.authenticator, trustedProxies, services, ...(deps.onQuery ? { onQuery: deps.onQuery } : {}) });

  const ws = attachGraphqlWs({
    server: app.server,
    path: GRAPHQL_PATH,
    schema,
    db: deps.dataSource,
    authenticator: deps.authenticator,
    trustedProxies,
    services,
    validationRules,
    introspection,
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    close() {
      closing ??= (async () => {
        await ws.close();
        await feed.close();
        await app.close();
        await apollo.stop();
      })();
      return closing;
    },
  };
}
