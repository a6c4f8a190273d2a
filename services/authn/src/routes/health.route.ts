// Probes and Prometheus: public, no decision, no event.
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthDeps {
  /** False until control state (policy, revocations) is loaded. */
  readonly ready: () => boolean;
  /** While not ready: what is missing and why (the policy control's phase); absent: a generic reason. */
  readonly notReady?: () => string | undefined;
  readonly registry: Registry;
}

const probe = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;
const notReady = {
  type: 'object',
  properties: { status: { const: 'not ready' }, missing: { type: 'array', items: { type: 'string' } }, reason: { type: 'string' } },
  required: ['status', 'missing', 'reason'],
} as const;

/** What authn needs before it answers: both come from the control topic, together. */
const CONTROL_STATE = ['policy', 'revocations'] as const;

export const healthRoutes: FastifyPluginAsync<HealthDeps> = async (app, deps) => {
  app.get('/healthz', { schema: { response: { 200: probe } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { response: { 200: probe, 503: notReady } } }, async (_request, reply) => {
    if (deps.ready()) return { status: 'ready' };
    const reason = deps.notReady?.() ?? 'policy and revocations not loaded from the control topic yet';
    return reply.code(503).send({ status: 'not ready', missing: [...CONTROL_STATE], reason });
  });
  app.get('/metrics', { schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) => {
    const text = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(text);
  });
};
