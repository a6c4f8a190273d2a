// Per-decision and per-record metrics as plain numbers (issue #19 item 2: pre-bound metric
// children). prom-client validates and hashes the label set on every `inc` and `observe`, even on
// a child from `labels()`: ≈ 2.3 µs a decision for authn's three per-decision metrics. Here the
// hot path adds to a cell it looked up once per label combination, and prom-client reads the cells
// when /metrics is scraped. authn's decision metrics and the event bus's publisher metrics use them.
import { Counter, type Registry } from 'prom-client';

type Labels<L extends string> = Readonly<Record<L, string>>;

/** A cell of a counter: `add` on the request path, folded into prom-client at scrape time. */
export interface CounterCell {
  add(): void;
}

/** A prom-client Counter whose labelled series are fed from cells (`cell(labels)` once per label set). */
export function cellCounter<L extends string>(options: { name: string; help: string; labelNames: readonly L[]; registry: Registry }): { cell(labels: Labels<L>): CounterCell } {
  const cells: { readonly labels: Labels<L>; count: number; reported: number }[] = [];
  new Counter<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames,
    registers: [options.registry],
    collect() {
      for (const cell of cells) {
        if (cell.count === cell.reported) continue;
        this.inc(cell.labels, cell.count - cell.reported);
        cell.reported = cell.count;
      }
    },
  });
  return {
    cell(labels) {
      const cell = { labels, count: 0, reported: 0 };
      cells.push(cell);
      return { add: () => void (cell.count += 1) };
    },
  };
}

/** A cell of a histogram: one series' bucket counts (not cumulative), sum and count. */
export interface HistogramCell {
  observe(value: number): void;
}

interface HistogramSeries<L extends string> {
  readonly labels: Labels<L>;
  /** Observations per upper bound, the last slot for those above every bound (+Inf only). */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A histogram registered on `registry` that prom-client exposes like its own Histogram (same
 * lines, same order: buckets cumulative, then `+Inf`, `_sum`, `_count` per series).
 * prom-client's Histogram has no way to take counts it did not observe itself, so this is a
 * metric of its own to the registry: `name`, `help`, `type`, `aggregator`, `get()`, `reset()`.
 */
export function cellHistogram<L extends string>(options: { name: string; help: string; labelNames: readonly L[]; buckets: readonly number[]; registry: Registry }): { cell(labels: Labels<L>): HistogramCell } {
  const bounds = [...options.buckets].sort((a, b) => a - b);
  const series: HistogramSeries<L>[] = [];
  const bucketName = `${options.name}_bucket`;
  const lines = (shared: boolean) =>
    series.flatMap((s) => {
      const own = (extra: Readonly<Record<string, string | number>>) => (shared ? { labels: extra, sharedLabels: s.labels } : { labels: { ...extra, ...s.labels } });
      let cumulative = 0;
      return [
        ...bounds.map((le, i) => ({ ...own({ le }), value: (cumulative += s.counts[i] ?? 0), metricName: bucketName, exemplar: null })),
        { ...own({ le: '+Inf' }), value: s.count, metricName: bucketName, exemplar: null },
        { ...own({}), value: s.sum, metricName: `${options.name}_sum` },
        { ...own({}), value: s.count, metricName: `${options.name}_count` },
      ];
    });
  const metric = {
    name: options.name,
    help: options.help,
    type: 'histogram',
    aggregator: 'sum',
    // The text exposition reads the series' labels as shared labels, as it does for prom-client's Histogram.
    getForPromString: async () => ({ name: options.name, help: options.help, type: 'histogram', aggregator: 'sum', values: lines(true) }),
    get: async () => ({ name: options.name, help: options.help, type: 'histogram', aggregator: 'sum', values: lines(false) }),
    reset: () => {
      for (const s of series) {
        s.counts.fill(0);
        s.sum = 0;
        s.count = 0;
      }
    },
  };
  options.registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  return {
    cell(labels) {
      const s: HistogramSeries<L> = { labels, counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 };
      series.push(s);
      return {
        observe(value) {
          let i = 0;
          while (i < bounds.length && value > (bounds[i] as number)) i += 1;
          s.counts[i] = (s.counts[i] ?? 0) + 1;
          s.sum += value;
          s.count += 1;
        },
      };
    },
  };
}
