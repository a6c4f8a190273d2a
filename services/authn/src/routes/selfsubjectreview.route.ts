// "Who am I" (kubectl auth whoami): the caller's own credentials, SelfSubjectReview back (201),
// or a kube Status 401 when they do not authenticate.
import type { FastifyPluginAsync } from 'fastify';
import { hopOf } from '../http/hop';
import { selfView } from '@authtrail/authentication';
import { DECISION_ID_HEADER } from '../http/reply-headers';
import { errorBody, userInfo } from '../http/schemas';
import type { RouteDeps } from './route-deps';
import { sendUnrecorded, wwwAuthenticate } from './route-deps';

const kubeStatus = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    apiVersion: { type: 'string' },
    metadata: { type: 'object' },
    status: { type: 'string' },
    message: { type: 'string' },
    reason: { type: 'string' },
    code: { type: 'integer' },
    details: { type: 'object', properties: { causes: { type: 'array', items: { type: 'object', properties: { reason: { type: 'string' } } } } } },
  },
} as const;

export const selfSubjectReviewRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  app.post('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    config: { endpoint: 'selfsubjectreview' },
    schema: {
      // kubectl sends an empty SelfSubjectReview; a request without a body is accepted too.
      body: {
        type: ['object', 'null'],
        properties: { apiVersion: { const: 'authentication.k8s.io/v1' }, kind: { const: 'SelfSubjectReview' }, metadata: { type: 'object' }, status: { type: 'object' } },
      },
      response: {
        201: {
          type: 'object',
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            metadata: { type: 'object', properties: { creationTimestamp: { type: 'string' } } },
            status: { type: 'object', properties: { userInfo } },
          },
        },
        401: kubeStatus,
        403: kubeStatus,
        429: kubeStatus,
        400: errorBody,
        413: errorBody,
        415: errorBody,
        503: errorBody,
        '5xx': errorBody,
      },
    },
    handler: async (request, reply) => {
      const decision = await deps.decisions.decide('selfsubjectreview', selfView(hopOf(request), deps.trusted), request.startedNs);
      reply.header(DECISION_ID_HEADER, decision.id);
      if (decision.unrecorded) return sendUnrecorded(reply, decision.id);
      const { result } = decision;
      if (result.decision === 'allow' && result.user) {
        const { user } = result;
        return reply.code(201).send({
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'SelfSubjectReview',
          metadata: { creationTimestamp: new Date().toISOString() },
          status: { userInfo: { username: user.username, ...(user.uid !== undefined ? { uid: user.uid } : {}), groups: [...user.groups], extra: user.extra } },
        });
      }
      if (result.httpStatus === 401) reply.header('www-authenticate', wwwAuthenticate(deps.basicAuth));
      if (decision.retryAfterSeconds !== undefined) reply.header('retry-after', String(decision.retryAfterSeconds));
      return reply.code(result.httpStatus).send({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: result.message ?? 'Unauthorized',
        reason: result.httpStatus === 401 ? 'Unauthorized' : result.httpStatus === 429 ? 'TooManyRequests' : 'Forbidden',
        code: result.httpStatus,
        details: { causes: [{ reason: result.reason }] },
      });
    },
  });
};
