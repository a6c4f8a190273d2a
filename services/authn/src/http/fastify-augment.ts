// Typed additions to fastify: when the request started (for latency) and which decision
// endpoint a route is (for events about requests that failed before the handler ran).
import type { DecisionEndpoint } from '@authtrail/events';

declare module 'fastify' {
  interface FastifyRequest {
    startedNs: bigint;
  }
  interface FastifyContextConfig {
    endpoint?: DecisionEndpoint;
  }
}

export {};
