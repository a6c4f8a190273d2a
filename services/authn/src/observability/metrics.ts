// Prometheus metrics of one authn app, on a Registry of its own (two apps in one process, as in
// tests or `npm start`, do not collide). No usernames, tokens or addresses as labels: label
// values come from closed sets (endpoints, reason codes, configured strategy ids).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Attempt } from '@authtrail/strategies';
import type { DecisionEndpoint, ReasonCode } from '@authtrail/events';
import { cellCounter, cellHistogram, type CounterCell, type HistogramCell, type PublisherStats } from '@authtrail/event-bus';

export interface CacheCounters {
  readonly hits: number;
  readonly misses: number;
  readonly coalesced?: number;
  readonly bypassed?: number;
  readonly size: number;
}

export interface AuthnMetrics {
  readonly registry: Registry;
  recordDecision(endpoint: DecisionEndpoint, decision: 'allow' | 'deny', reason: ReasonCode, strategy: string | undefined, seconds: number): void;
  recordAttempts(attempts: readonly Attempt[]): void;
  recordPublishFailure(): void;
}

export interface MetricsSources {
  readonly publisherStats: () => PublisherStats;
  readonly cacheStats?: () => CacheCounters | undefined;
  readonly defaultMetrics?: boolean;
  /** /readyz's answer, as `authtrail_authn_ready` (1 ready, 0 not) for the readiness alert. */
  readonly ready?: () => boolean;
}

export function createAuthnMetrics(sources: MetricsSources): AuthnMetrics {
  const registry = new Registry();
  // Unprefixed (`process_cpu_seconds_total`, `nodejs_*`): the names stock dashboards and alerts expect.
  if (sources.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  // Updated on every decision: plain cells, read by prom-client at scrape time (metric-cells.ts).
  const decisions = cellCounter({
    name: 'authtrail_authn_decisions_total',
    help: 'Authentication decisions by endpoint, decision, reason and deciding strategy.',
    labelNames: ['endpoint', 'decision', 'reason', 'strategy'],
    registry,
  });
  const attempts = cellCounter({
    name: 'authtrail_authn_attempts_total',
    help: 'Strategy attempts by strategy, result and reason.',
    labelNames: ['strategy', 'result', 'reason'],
    registry,
  });
  const latency = cellHistogram({
    name: 'authtrail_authn_decision_duration_seconds',
    help: 'Time from request to decision (event built), by endpoint and decision.',
    labelNames: ['endpoint', 'decision'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registry,
  });
  const publishFailures = new Counter({
    name: 'authtrail_authn_event_publish_failures_total',
    help: 'Decision events the publisher refused (strict mode: answered 503).',
    registers: [registry],
  });

  // Pulled from the cache and the publisher at scrape time: they own the numbers.
  const gauge = (name: string, help: string, read: () => number | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  const counterFrom = (name: string, help: string, read: () => number | undefined) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const value = read();
        if (value !== undefined) {
          this.reset();
          this.inc(value);
        }
      },
    });
  const ready = sources.ready;
  if (ready) gauge('authtrail_authn_ready', '1 when /readyz answers ready, else 0 (control state not loaded).', () => (ready() ? 1 : 0));
  counterFrom('authtrail_authn_cache_hits_total', 'Decisions answered from the credential cache.', () => sources.cacheStats?.()?.hits);
  counterFrom('authtrail_authn_cache_misses_total', 'Decisions evaluated by the strategies (cache miss).', () => sources.cacheStats?.()?.misses);
  gauge('authtrail_authn_cache_entries', 'Entries in the credential cache.', () => sources.cacheStats?.()?.size);
  counterFrom('authtrail_events_published_total', 'Decision events handed to the publisher.', () => sources.publisherStats().published);
  counterFrom('authtrail_events_acknowledged_total', 'Decision events acknowledged by Kafka.', () => sources.publisherStats().acknowledged);
  gauge('authtrail_events_buffered', 'Events waiting in the memory buffer.', () => sources.publisherStats().buffered);
  gauge('authtrail_events_spooled', 'Events waiting in the disk spool.', () => sources.publisherStats().spooled);
  gauge('authtrail_events_spool_bytes', 'Size of the disk spool in bytes.', () => sources.publisherStats().spoolBytes);
  counterFrom('authtrail_events_dropped_total', 'Events dropped because buffer and spool were full.', () => sources.publisherStats().dropped);

  // A cell per label combination, found through one map per label (the sets are closed and
  // small): no key string is built and no closure made per decision.
  const decisionCells: LabelTree<CounterCell> = new Map();
  const latencyCells: LabelTree<HistogramCell> = new Map();
  const attemptCells: LabelTree<CounterCell> = new Map();

  return {
    registry,
    recordDecision(endpoint, decision, reason, strategy, seconds) {
      const s = strategy ?? 'none';
      const byReason = branch(branch(decisionCells, endpoint), decision);
      const byStrategy = branch(byReason, reason);
      let counted = byStrategy.get(s) as CounterCell | undefined;
      if (counted === undefined) byStrategy.set(s, (counted = decisions.cell({ endpoint, decision, reason, strategy: s })));
      counted.add();
      const byDecision = branch(latencyCells, endpoint);
      let timed = byDecision.get(decision) as HistogramCell | undefined;
      if (timed === undefined) byDecision.set(decision, (timed = latency.cell({ endpoint, decision })));
      timed.observe(seconds);
    },
    recordAttempts(list) {
      for (const a of list) {
        const reason = a.reason ?? 'none';
        const byReason = branch(branch(attemptCells, a.strategy), a.outcome);
        let counted = byReason.get(reason) as CounterCell | undefined;
        if (counted === undefined) byReason.set(reason, (counted = attempts.cell({ strategy: a.strategy, result: a.outcome, reason })));
        counted.add();
      }
    },
    recordPublishFailure() {
      publishFailures.inc();
    },
  };
}

/** Cells by label value, one map level per label, the cells at the last level. */
type LabelTree<C> = Map<string, LabelTree<C> | C>;

/** The next level of `tree` under `value`, made on first use. */
function branch<C>(tree: LabelTree<C>, value: string): LabelTree<C> {
  let next = tree.get(value) as LabelTree<C> | undefined;
  if (next === undefined) tree.set(value, (next = new Map()));
  return next;
}
