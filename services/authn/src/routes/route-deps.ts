import type { FastifyReply } from 'fastify';
import type { DecisionService } from '@authtrail/authentication';
import type { TrustedProxies } from '@authtrail/authentication';

export interface RouteDeps {
  readonly decisions: DecisionService;
  readonly trusted: TrustedProxies;
  /** Whether a basic-auth strategy is configured (adds `WWW-Authenticate: Basic`). */
  readonly basicAuth: boolean;
}

/** strict events mode: the decision could not be recorded, so it is not given. */
export function sendUnrecorded(reply: FastifyReply, decisionId: string) {
  return reply.code(503).header('retry-after', '1').send({
    error: 'Service Unavailable',
    reason: 'upstream_unavailable',
    message: 'the decision could not be recorded (events.mode: strict)',
    decisionId,
  });
}

/** Both realms a client could answer with. */
export function wwwAuthenticate(basicAuth: boolean): string[] {
  return basicAuth ? ['Bearer realm="authtrail"', 'Basic realm="authtrail", charset="UTF-8"'] : ['Bearer realm="authtrail"'];
}
