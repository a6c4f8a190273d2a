// Prometheus metrics of the GraphQL API (`authtrail_graphql_api_*`), on the Registry it is given:
// its own in the standalone process, the process-wide one under `npm start`. Label values come
// from closed sets (route patterns, status codes, reason codes, configured strategy ids): never a
// username, token, query text or address.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DecisionMetrics } from '@authtrail/authentication';

export interface GraphqlMetrics {
  readonly registry: Registry;
  /** The callers' decisions (the shared decision path reports here). */
  readonly decisions: DecisionMetrics;
  /** One HTTP answer: `route` is the matched route pattern ('unmatched' for a 404 without a route). */
  recordRequest(route: string, status: number, seconds: number): void;
}

export interface GraphqlMetricsSources {
  /** /readyz's control-state half (absent: always ready), as `authtrail_graphql_api_ready`. */
  readonly ready?: () => boolean;
}

export function createGraphqlMetrics(registry: Registry, sources: GraphqlMetricsSources = {}): GraphqlMetrics {
  const registers = [registry];
  const requests = new Counter({ name: 'authtrail_graphql_api_requests_total', help: 'HTTP answers by route pattern and status code.', labelNames: ['route', 'status'] as const, registers });
  const duration = new Histogram({
    name: 'authtrail_graphql_api_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern.',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const decisions = new Counter({ name: 'authtrail_graphql_api_decisions_total', help: "API callers' authentication decisions by decision, reason and deciding strategy.", labelNames: ['decision', 'reason', 'strategy'] as const, registers });
  const attempts = new Counter({ name: 'authtrail_graphql_api_attempts_total', help: "Strategy attempts for API callers by strategy, result and reason.", labelNames: ['strategy', 'result', 'reason'] as const, registers });
  const publishFailures = new Counter({ name: 'authtrail_graphql_api_event_publish_failures_total', help: "Callers' decision events the publisher refused (strict mode: answered 503).", registers });
  const ready = sources.ready;
  new Gauge({
    name: 'authtrail_graphql_api_ready',
    help: '1 when the control state (policy, revocations) is loaded, else 0; /readyz also checks the database.',
    registers,
    collect() {
      this.set(ready === undefined || ready() ? 1 : 0);
    },
  });

  return {
    registry,
    decisions: {
      recordDecision(_endpoint, decision, reason, strategy) {
        decisions.inc({ decision, reason, strategy: strategy ?? 'none' });
      },
      recordAttempts(list) {
        for (const a of list) attempts.inc({ strategy: a.strategy, result: a.outcome, reason: a.reason ?? 'none' });
      },
      recordPublishFailure() {
        publishFailures.inc();
      },
    },
    recordRequest(route, status, seconds) {
      requests.inc({ route, status: String(status) });
      duration.observe({ route }, seconds);
    },
  };
}
