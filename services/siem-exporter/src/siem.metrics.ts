import { Counter, Gauge, Registry } from 'prom-client';

/** The exporter's Prometheus metrics, on a registry of its own (several exporters may share a process in tests). */
export interface SiemMetrics {
  readonly registry: Registry;
  readonly delivered: Counter<'sink'>;
  readonly retried: Counter<'sink'>;
  readonly deadLettered: Counter<'sink'>;
  readonly filtered: Counter<'sink'>;
  readonly sinkUp: Gauge<'sink'>;
  readonly lag: Gauge<'topic' | 'partition'>;
}

export function createSiemMetrics(registry: Registry = new Registry()): SiemMetrics {
  return {
    registry,
    delivered: new Counter({ name: 'authtrail_siem_delivered_total', help: 'Events a sink acknowledged.', labelNames: ['sink'], registers: [registry] }),
    retried: new Counter({ name: 'authtrail_siem_retried_total', help: 'Delivery attempts retried because the sink was unavailable.', labelNames: ['sink'], registers: [registry] }),
    deadLettered: new Counter({ name: 'authtrail_siem_dead_lettered_total', help: 'Events a sink refused for good, written to the dead-letter topic (sink="decoder": undecodable records).', labelNames: ['sink'], registers: [registry] }),
    filtered: new Counter({ name: 'authtrail_siem_filtered_total', help: 'Events a sink filter left out.', labelNames: ['sink'], registers: [registry] }),
    sinkUp: new Gauge({ name: 'authtrail_siem_sink_up', help: '1 when the last delivery to the sink succeeded, 0 while it is retried.', labelNames: ['sink'], registers: [registry] }),
    lag: new Gauge({ name: 'authtrail_siem_lag', help: 'Records behind the end of the partition after the last handled batch.', labelNames: ['topic', 'partition'], registers: [registry] }),
  };
}
