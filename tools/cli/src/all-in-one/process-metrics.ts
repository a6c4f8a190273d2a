// `npm start` runs four services in one process, and a process has one set of metrics: projector,
// siem-exporter and graphql-api register on the shared registry, authn on its own (built inside
// its app, with the process metrics), and the two are merged once so that authn's /metrics (and
// graphql-api's) carry all of them. A name both hold is an error at start, never an overwrite.
import type { Metric, Registry } from 'prom-client';

/** The metric objects of a registry (`getMetricsAsArray` is typed as plain descriptions). */
function metricsOf(registry: Registry): Metric[] {
  return registry.getMetricsAsArray().flatMap(({ name }) => registry.getSingleMetric(name) ?? []);
}

/** After this, both registries expose the union of their metrics (the same metric objects). */
export function mergeRegistries(a: Registry, b: Registry): void {
  const ofA = metricsOf(a);
  const ofB = metricsOf(b);
  for (const metric of ofB) a.registerMetric(metric);
  for (const metric of ofA) b.registerMetric(metric);
}
