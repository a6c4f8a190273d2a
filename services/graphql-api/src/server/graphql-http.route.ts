// POST/GET /graphql: authenticate in onRequest (before the body is even parsed: an anonymous
// caller gets 401, not a JSON parse error) — one decision event per request, endpoint `graphql`,
// its id in `X-Authtrail-Decision-Id` — then hand the request to Apollo with a per-operation
// read session and DataLoaders.
import { type ApolloServer, HeaderMap } from '@apollo/server';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import type { TrustedProxies } from '@authtrail/authentication';
import { openReadSession, type ReadSession } from '@authtrail/read-model';
import { type Caller, type CallerAuthenticator, type CallerResolution, authenticateCaller } from '../auth/caller';
import { callerView } from '../auth/request-view';
import type { GraphqlContext } from '../context';
import type { ErrorCode } from '../generated/resolvers.generated';
import { createLoaders } from '../loaders';
import type { GraphqlServices } from '../services';

declare module 'fastify' {
  interface FastifyRequest {
    authtrailCaller?: Caller;
  }
}

export interface GraphqlRouteOptions {
  readonly apollo: ApolloServer<GraphqlContext>;
  readonly dataSource: DataSource;
  readonly authenticator: CallerAuthenticator | null;
  readonly trustedProxies: TrustedProxies;
  readonly services: GraphqlServices;
  /** Sees every SQL statement of an operation (metrics, slow-query logs, tests counting queries). */
  readonly onQuery?: (sql: string) => void;
}

const REFUSAL: Readonly<Record<Exclude<CallerResolution['kind'], 'caller'>, { code: ErrorCode; message: string }>> = {
  unauthenticated: { code: 'UNAUTHENTICATED', message: 'authentication required' },
  'no-role': { code: 'FORBIDDEN', message: 'not in a viewer or admin group of this API' },
  // 429 with Retry-After says it; ErrorCode has no throttling member (schema-first, owned with the schema).
  throttled: { code: 'UNAUTHENTICATED', message: 'too many failed attempts; try again later' },
  unavailable: { code: 'INTERNAL_SERVER_ERROR', message: 'authentication is unavailable, try again' },
};

/** The decision event of this request (authn answers with the same header). */
export const DECISION_ID_HEADER = 'x-authtrail-decision-id';

export function sendRefusal(reply: FastifyReply, resolution: Exclude<CallerResolution, { kind: 'caller' }>): FastifyReply {
  const { code, message } = REFUSAL[resolution.kind];
  if (resolution.kind === 'unauthenticated') reply.header('www-authenticate', 'Bearer realm="authtrail", charset="UTF-8"');
  if (resolution.kind === 'throttled') reply.header('retry-after', String(resolution.retryAfterSeconds));
  // A 401 says why, with the decision's reason and safe message, as authn answers (never a credential).
  const error = resolution.kind === 'unauthenticated' ? { message: resolution.message ?? message, extensions: { code, reason: resolution.reason } } : { message, extensions: { code } };
  return reply.code(resolution.status).header('cache-control', 'no-store').send({ errors: [error] });
}

export async function graphqlRoutes(app: FastifyInstance, options: GraphqlRouteOptions): Promise<void> {
  const { apollo, dataSource, services } = options;

  app.addHook('onRequest', async (request, reply) => {
    const startedNs = process.hrtime.bigint();
    const { resolution, decisionId } = await authenticateCaller(
      options.authenticator,
      callerView(request.raw, options.trustedProxies),
      startedNs,
    );
    if (decisionId) reply.header(DECISION_ID_HEADER, decisionId);
    if (resolution.kind !== 'caller') return sendRefusal(reply, resolution);
    request.authtrailCaller = resolution.caller;
    return undefined;
  });

  app.route({
    method: ['GET', 'POST'],
    url: '/graphql',
    handler: async (request, reply) => {
      const caller = request.authtrailCaller;
      // The onRequest hook either set the caller or already answered 401/403/503.
      if (!caller) return sendRefusal(reply, { kind: 'unauthenticated', status: 401, reason: 'no_credentials' });
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const session = observed(openReadSession(dataSource, { statementTimeoutMs: services.limits.queryTimeoutMs }), options.onQuery);
      try {
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: {
            method: request.method.toUpperCase(),
            headers,
            search: request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '',
            body: request.body,
          },
          context: async () => ({ caller, db: session, loaders: createLoaders(session), services }),
        });
        for (const [name, value] of response.headers) reply.header(name, value);
        reply.header('cache-control', 'no-store');
        reply.code(response.status ?? 200);
        if (response.body.kind === 'complete') return reply.send(response.body.string);
        // Incremental delivery is not enabled; collect defensively.
        let body = '';
        for await (const chunk of response.body.asyncIterator) body += chunk;
        return reply.send(body);
      } finally {
        await session.release();
      }
    },
  });
}

function observed(session: ReadSession, onQuery: ((sql: string) => void) | undefined): ReadSession {
  if (!onQuery) return session;
  return {
    query: (sql, parameters) => {
      onQuery(sql);
      return session.query(sql, parameters);
    },
    release: () => session.release(),
  };
}
