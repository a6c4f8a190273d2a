import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { cellCounter, cellHistogram } from './metric-cells';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const ENDPOINTS = ['tokenreview', 'forward-auth'] as const;
const DECISIONS = ['allow', 'deny'] as const;

/** prom-client's own metrics and the cell metrics, fed the same observations. */
function twoRegistries() {
  const reference = new Registry();
  const cells = new Registry();
  const help = 'help text';
  return {
    reference,
    cells,
    histogram: {
      reference: new Histogram({ name: 'h_seconds', help, labelNames: ['endpoint', 'decision'], buckets: BUCKETS, registers: [reference] }),
      cells: cellHistogram({ name: 'h_seconds', help, labelNames: ['endpoint', 'decision'], buckets: BUCKETS, registry: cells }),
    },
    counter: {
      reference: new Counter({ name: 'c_total', help, labelNames: ['endpoint', 'decision'], registers: [reference] }),
      cells: cellCounter({ name: 'c_total', help, labelNames: ['endpoint', 'decision'], registry: cells }),
    },
  };
}

const observation = fc.record({
  endpoint: fc.constantFrom(...ENDPOINTS),
  decision: fc.constantFrom(...DECISIONS),
  // Bucket bounds themselves included: a value equal to a bound belongs to that bucket.
  seconds: fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.constantFrom(...BUCKETS)),
});

describe('metric cells', () => {
  it('expose exactly what prom-client exposes for the same observations (text and JSON)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const { reference, cells, histogram, counter } = twoRegistries();
        const histogramCells = new Map<string, ReturnType<typeof histogram.cells.cell>>();
        const counterCells = new Map<string, ReturnType<typeof counter.cells.cell>>();
        for (const { endpoint, decision, seconds } of observations) {
          histogram.reference.labels(endpoint, decision).observe(seconds);
          counter.reference.labels(endpoint, decision).inc();
          const key = `${endpoint}|${decision}`;
          if (!histogramCells.has(key)) histogramCells.set(key, histogram.cells.cell({ endpoint, decision }));
          if (!counterCells.has(key)) counterCells.set(key, counter.cells.cell({ endpoint, decision }));
          histogramCells.get(key)?.observe(seconds);
          counterCells.get(key)?.add();
        }
        expect(await cells.metrics()).toBe(await reference.metrics());
        expect(await cells.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON());
      }),
      { numRuns: 50 },
    );
  });

  it('count what was added since the last scrape once, and start again from zero after a reset', async () => {
    const registry = new Registry();
    const counter = cellCounter({ name: 'c_total', help: 'h', labelNames: ['endpoint'], registry });
    const histogram = cellHistogram({ name: 'h_seconds', help: 'h', labelNames: ['endpoint'], buckets: [1], registry });
    const count = counter.cell({ endpoint: 'tokenreview' });
    const latency = histogram.cell({ endpoint: 'tokenreview' });
    count.add();
    count.add();
    latency.observe(0.5);
    expect(await registry.metrics()).toContain('c_total{endpoint="tokenreview"} 2');
    count.add();
    latency.observe(3);
    const text = await registry.metrics();
    expect(text).toContain('c_total{endpoint="tokenreview"} 3');
    expect(text).toContain('h_seconds_bucket{le="1",endpoint="tokenreview"} 1');
    expect(text).toContain('h_seconds_bucket{le="+Inf",endpoint="tokenreview"} 2');
    expect(text).toContain('h_seconds_sum{endpoint="tokenreview"} 3.5');
    registry.resetMetrics();
    count.add();
    const after = await registry.metrics();
    expect(after).toContain('c_total{endpoint="tokenreview"} 1');
    expect(after).toContain('h_seconds_count{endpoint="tokenreview"} 0');
  });
});
