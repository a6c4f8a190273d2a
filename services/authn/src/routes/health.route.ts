// Probes and Prometheus: public, no decision, no event.
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthDeps {
  /** False until control state (policy, revocations) is loaded. */
  readonly ready: () => boolean;
  readonly registry: Registry;
}

const probe = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;

export const healthRoutes: FastifyPluginAsync<HealthDeps> = async (app, deps) => {
  app.get('/healthz', { schema: { response: { 200: probe } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { response: { 200: probe, 503: probe } } }, async (_request, reply) =>
    deps.ready() ? { status: 'ready' } : reply.code(503).send({ status: 'loading control state' }),
  );
  app.get('/metrics', { schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) => {
    const text = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(text);
  });
};
