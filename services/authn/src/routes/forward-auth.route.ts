// nginx `auth_request`, Traefik ForwardAuth, Envoy ext_authz (HTTP service): any method, the
// original request described by X-Forwarded-* / X-Original-* from trusted proxies only.
// 200 carries the kube front-proxy identity headers; 401 carries WWW-Authenticate.
import type { FastifyPluginAsync, RouteHandlerMethod } from 'fastify';
import { hopOf } from '../http/hop';
import { FORWARD_AUTH_PREFIX, forwardAuthView } from '@authtrail/authentication';
import { DECISION_ID_HEADER, remoteUserHeaders } from '../http/reply-headers';
import { errorResponses } from '../http/schemas';
import type { RouteDeps } from './route-deps';
import { sendUnrecorded, wwwAuthenticate } from './route-deps';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const verdict = {
  type: 'object',
  properties: { authenticated: { type: 'boolean' }, reason: { type: 'string' }, message: { type: 'string' }, decisionId: { type: 'string' } },
  required: ['authenticated', 'decisionId'],
} as const;

export const forwardAuthRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  // The proxied request's body is not ours to read (Envoy may forward it): accept any type, drop it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));

  const handler: RouteHandlerMethod = async (request, reply) => {
    const decision = await deps.decisions.decide('forward-auth', forwardAuthView(hopOf(request), deps.trusted), request.startedNs);
    reply.header(DECISION_ID_HEADER, decision.id);
    if (decision.unrecorded) return sendUnrecorded(reply, decision);
    const { result } = decision;
    if (result.decision === 'allow' && result.user) {
      reply.headers(remoteUserHeaders(result.user, result.cached === true));
      return { authenticated: true, decisionId: decision.id };
    }
    if (result.httpStatus === 401) reply.header('www-authenticate', wwwAuthenticate(deps.basicAuth));
    if (decision.retryAfterSeconds !== undefined) reply.header('retry-after', String(decision.retryAfterSeconds));
    return reply.code(result.httpStatus).send({ authenticated: false, reason: result.reason, message: result.message ?? '', decisionId: decision.id });
  };

  const schema = { response: { 200: verdict, ...errorResponses, 401: verdict, 403: verdict, 429: verdict } };
  for (const url of [FORWARD_AUTH_PREFIX, `${FORWARD_AUTH_PREFIX}/*`]) {
    app.route({ method: METHODS, url, config: { endpoint: 'forward-auth' }, schema, handler });
  }
};
