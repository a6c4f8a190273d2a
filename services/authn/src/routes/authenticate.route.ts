// `/v1/authenticate`: gateways describe a request in JSON and get the verdict in JSON.
import type { FastifyPluginAsync } from 'fastify';
import { hopOf } from '../http/hop';
import { directView, type AuthenticateBody } from '@authtrail/authentication';
import { DECISION_ID_HEADER } from '../http/reply-headers';
import { errorResponses, headerMap, userInfo } from '../http/schemas';
import type { RouteDeps } from './route-deps';
import { sendUnrecorded } from './route-deps';

const failure = {
  type: 'object',
  properties: { authenticated: { const: false }, reason: { type: 'string' }, message: { type: 'string' }, decisionId: { type: 'string' } },
  required: ['authenticated', 'reason', 'decisionId'],
} as const;

export const authenticateRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  app.post<{ Body: AuthenticateBody }>('/v1/authenticate', {
    config: { endpoint: 'authenticate' },
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['headers'],
        properties: {
          headers: headerMap,
          clientCertificate: { type: 'string', maxLength: 32768 },
          sourceIp: { type: 'string', maxLength: 64 },
          method: { type: 'string', pattern: '^[A-Za-z]{1,16}$' },
          path: { type: 'string', maxLength: 4096 },
          userAgent: { type: 'string', maxLength: 1024 },
          audiences: { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 1024 } },
          tls: { type: 'boolean' },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: { authenticated: { const: true }, user: userInfo, strategy: { type: 'string' }, decisionId: { type: 'string' } },
          required: ['authenticated', 'user', 'decisionId'],
        },
        ...errorResponses,
        401: failure,
        403: failure,
        429: failure,
      },
    },
    handler: async (request, reply) => {
      const decision = await deps.decisions.decide('authenticate', directView(hopOf(request), deps.trusted, request.body), request.startedNs);
      reply.header(DECISION_ID_HEADER, decision.id);
      if (decision.unrecorded) return sendUnrecorded(reply, decision);
      const { result } = decision;
      if (result.decision === 'allow' && result.user) {
        return { authenticated: true, user: result.user, ...(result.strategy ? { strategy: result.strategy } : {}), decisionId: decision.id };
      }
      if (decision.retryAfterSeconds !== undefined) reply.header('retry-after', String(decision.retryAfterSeconds));
      return reply.code(result.httpStatus).send({ authenticated: false, reason: result.reason, message: result.message ?? '', decisionId: decision.id });
    },
  });
};
