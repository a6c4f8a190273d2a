import type { FastifyReply } from 'fastify';
import type { Decision, DecisionService } from '@authtrail/authentication';
import type { TrustedProxies } from '@authtrail/authentication';

export interface RouteDeps {
  readonly decisions: DecisionService;
  readonly trusted: TrustedProxies;
  /** Whether a basic-auth strategy is configured (adds `WWW-Authenticate: Basic`). */
  readonly basicAuth: boolean;
}

/**
 * A 503 instead of the decision: authn is not ready (policy and revocations not loaded; the
 * refusal says what is missing), or in strict events mode the decision could not be recorded.
 */
export function sendUnrecorded(reply: FastifyReply, decision: Decision) {
  const notReady = decision.result.reason === 'upstream_unavailable' && decision.outcome === 'refused';
  return reply.code(503).header('retry-after', '1').send({
    error: 'Service Unavailable',
    reason: 'upstream_unavailable',
    message: notReady ? decision.result.message : 'the decision could not be recorded (events.mode: strict)',
    decisionId: decision.id,
  });
}

/** Both realms a client could answer with. */
export function wwwAuthenticate(basicAuth: boolean): string[] {
  return basicAuth ? ['Bearer realm="authtrail"', 'Basic realm="authtrail", charset="UTF-8"'] : ['Bearer realm="authtrail"'];
}
