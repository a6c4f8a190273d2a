// Publisher metrics (prom-client). Registered on the Registry the service passes in, labelled by
// client id so that two buses can share a registry; without a Registry they are not exported
// (stats() still counts).
import { Counter, Gauge, type Registry } from 'prom-client';
import { cellCounter, cellHistogram, type CounterCell, type HistogramCell } from './metric-cells';

export interface BusMetrics {
  published(topic: string): void;
  acknowledged(topic: string, count: number): void;
  dropped(topic: string): void;
  queued(buffered: number, spooled: number, spoolBytes: number): void;
  /** Seconds from `publish()` to Kafka's acknowledgement. */
  latency(seconds: number): void;
}

export const noMetrics: BusMetrics = {
  published: () => undefined,
  acknowledged: () => undefined,
  dropped: () => undefined,
  queued: () => undefined,
  latency: () => undefined,
};

const PREFIX = 'authtrail_events';

/**
 * The two series every record updates, `published_total` and the publish latency, as cells
 * (metric-cells.ts): prom-client hashed their label sets on every record, ≈ 1 µs of each decision
 * (docs/event-bus.md lever (g)). One per registry, one cell per label set: buses that share a
 * registry share them.
 */
interface RecordCells {
  published(clientId: string, topic: string): CounterCell;
  latency(clientId: string): HistogramCell;
}

const recordCellsByRegistry = new WeakMap<Registry, RecordCells>();

function recordCellsOf(registry: Registry): RecordCells {
  let cells = recordCellsByRegistry.get(registry);
  if (cells) return cells;
  const published = cellCounter({ name: `${PREFIX}_published_total`, help: 'Records handed to publish()', labelNames: ['client_id', 'topic'], registry });
  const latency = cellHistogram({
    name: `${PREFIX}_publish_latency_seconds`,
    help: 'Time from publish() to Kafka acknowledgement, for records that did not go through the spool',
    labelNames: ['client_id'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registry,
  });
  const publishedCells = new Map<string, CounterCell>();
  const latencyCells = new Map<string, HistogramCell>();
  cells = {
    published: (clientId, topic) => memoised(publishedCells, `${clientId}\u0000${topic}`, () => published.cell({ client_id: clientId, topic })),
    latency: (clientId) => memoised(latencyCells, clientId, () => latency.cell({ client_id: clientId })),
  };
  recordCellsByRegistry.set(registry, cells);
  return cells;
}

function memoised<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

export function createBusMetrics(registry: Registry | undefined, clientId: string): BusMetrics {
  if (!registry) return noMetrics;
  const counter = (name: string, help: string, labelNames: string[]) =>
    (registry.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string) =>
    (registry.getSingleMetric(name) as Gauge<string> | undefined) ?? new Gauge({ name, help, labelNames: ['client_id'], registers: [registry] });

  const cells = recordCellsOf(registry);
  const acknowledged = counter(`${PREFIX}_acknowledged_total`, 'Records Kafka acknowledged (acks from all in-sync replicas)', ['client_id', 'topic']);
  const dropped = counter(`${PREFIX}_dropped_total`, 'Records dropped because the memory buffer and the disk spool were both full', ['client_id', 'topic']);
  const buffered = gauge(`${PREFIX}_buffered`, 'Records waiting in memory (including the batch in flight)');
  const spooled = gauge(`${PREFIX}_spooled`, 'Records waiting in the disk spool');
  const spoolBytes = gauge(`${PREFIX}_spool_bytes`, 'Bytes of spool segments on disk');
  // A bus publishes to a handful of topics: their cells are found in a map of this bus's own.
  const publishedByTopic = new Map<string, CounterCell>();
  const latency = cells.latency(clientId);

  return {
    published: (topic) => memoised(publishedByTopic, topic, () => cells.published(clientId, topic)).add(),
    acknowledged: (topic, count) => acknowledged.inc({ client_id: clientId, topic }, count),
    dropped: (topic) => dropped.inc({ client_id: clientId, topic }),
    queued: (b, s, bytes) => {
      buffered.set({ client_id: clientId }, b);
      spooled.set({ client_id: clientId }, s);
      spoolBytes.set({ client_id: clientId }, bytes);
    },
    latency: (seconds) => latency.observe(seconds),
  };
}
