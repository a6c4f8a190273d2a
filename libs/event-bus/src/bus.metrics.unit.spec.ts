import { Registry } from 'prom-client';
import { createBusMetrics } from './bus.metrics';

describe('bus metrics', () => {
  it('two buses share one registry, each under its own client_id', async () => {
    const registry = new Registry();
    const a = createBusMetrics(registry, 'authn-a');
    const b = createBusMetrics(registry, 'authn-b');
    a.published('t.v1');
    a.acknowledged('t.v1', 3);
    b.dropped('t.v1');
    b.queued(5, 7, 700);
    a.latency(0.004);
    const text = await registry.metrics();
    expect(text).toContain('authtrail_events_published_total{client_id="authn-a",topic="t.v1"} 1');
    expect(text).toContain('authtrail_events_acknowledged_total{client_id="authn-a",topic="t.v1"} 3');
    expect(text).toContain('authtrail_events_dropped_total{client_id="authn-b",topic="t.v1"} 1');
    expect(text).toContain('authtrail_events_buffered{client_id="authn-b"} 5');
    expect(text).toContain('authtrail_events_spooled{client_id="authn-b"} 7');
    expect(text).toContain('authtrail_events_spool_bytes{client_id="authn-b"} 700');
    expect(text).toContain('authtrail_events_publish_latency_seconds_count{client_id="authn-a"} 1');
  });

  it('counts every record and observes every latency, one series per label set however many buses feed it', async () => {
    const registry = new Registry();
    const first = createBusMetrics(registry, 'authn');
    const second = createBusMetrics(registry, 'authn');
    for (let i = 0; i < 5; i++) first.published('t.v1');
    for (let i = 0; i < 2; i++) second.published('t.v1');
    first.published('u.v1');
    first.latency(0.004);
    second.latency(0.2);
    const text = await registry.metrics();
    expect(text.match(/^authtrail_events_published_total\{.*$/gm)).toEqual(['authtrail_events_published_total{client_id="authn",topic="t.v1"} 7', 'authtrail_events_published_total{client_id="authn",topic="u.v1"} 1']);
    expect(text.match(/^authtrail_events_publish_latency_seconds_(count|sum)\{.*$/gm)).toEqual(['authtrail_events_publish_latency_seconds_sum{client_id="authn"} 0.20400000000000001', 'authtrail_events_publish_latency_seconds_count{client_id="authn"} 2']);
    expect(text).toContain('authtrail_events_publish_latency_seconds_bucket{le="0.005",client_id="authn"} 1');
    expect(text).toContain('authtrail_events_publish_latency_seconds_bucket{le="0.25",client_id="authn"} 2');
    // Scraped again: the same totals, not added twice.
    expect(await registry.metrics()).toBe(text);
  });

  it('without a registry nothing is registered and calls are harmless', () => {
    const metrics = createBusMetrics(undefined, 'x');
    expect(() => metrics.published('t')).not.toThrow();
  });
});
