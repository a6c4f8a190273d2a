// Subscriptions over graphql-ws on the same port and path (/graphql). Browsers cannot set
// headers on a WebSocket, so the credential may also come as `connectionParams.Authorization`;
// it is checked once in onConnect (connection_init): one decision event, endpoint `graphql`,
// under policy, revocation and throttling (a refused connection is closed with 4403).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { specifiedRules, validate, NoSchemaIntrospectionCustomRule, type GraphQLSchema, type ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { TrustedProxies } from '@authtrail/authentication';
import type { QueryRunnerLike } from '@authtrail/read-model';
import { type Caller, type CallerAuthenticator, authenticateCaller } from '../auth/caller';
import { callerView } from '../auth/request-view';
import type { GraphqlContext } from '../context';
import { createLoaders } from '../loaders';
import type { GraphqlServices } from '../services';

export interface GraphqlWsOptions {
  readonly server: Server;
  readonly path: string;
  readonly schema: GraphQLSchema;
  readonly db: QueryRunnerLike;
  readonly authenticator: CallerAuthenticator | null;
  readonly trustedProxies: TrustedProxies;
  readonly services: GraphqlServices;
  readonly validationRules: readonly ValidationRule[];
  readonly introspection: boolean;
  /** Largest incoming message; graphql-ws messages are small. */
  readonly maxPayloadBytes?: number;
}

export interface GraphqlWs {
  close(): Promise<void>;
}

export function attachGraphqlWs(options: GraphqlWsOptions): GraphqlWs {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 64 * 1024 });
  const callers = new WeakMap<object, Caller>();
  const rules = [...specifiedRules, ...options.validationRules, ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== options.path) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  options.server.on('upgrade', onUpgrade);

  const disposable = useServer<Record<string, unknown>, { caller?: Caller }>(
    {
      schema: options.schema,
      validate: (schema, document) => validate(schema, document, rules),
      onConnect: async (ctx) => {
        const fromParams = ctx.connectionParams?.['Authorization'] ?? ctx.connectionParams?.['authorization'];
        const extraHeaders: Record<string, string> = typeof fromParams === 'string' ? { authorization: fromParams } : {};
        const request = ctx.extra.request;
        const { resolution } = await authenticateCaller(
          options.authenticator,
          callerView(request, options.trustedProxies, extraHeaders),
          process.hrtime.bigint(),
        );
        if (resolution.kind !== 'caller') return false;
        callers.set(ctx.extra, resolution.caller);
        return true;
      },
      context: (ctx): GraphqlContext => ({
        // onConnect refused every connection without a caller; fall back to no roles at all.
        caller: callers.get(ctx.extra) ?? { username: '', groups: [], roles: new Set() },
        db: options.db,
        // A subscription lives long: batch, but do not cache rows that keep changing.
        loaders: createLoaders(options.db, { cache: false }),
        services: options.services,
      }),
    },
    wss,
  );

  return {
    async close() {
      options.server.off('upgrade', onUpgrade);
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
