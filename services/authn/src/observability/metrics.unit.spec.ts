import { createAuthnMetrics } from './metrics';

const stats = () => ({ published: 3, acknowledged: 2, buffered: 1, spooled: 0, spoolBytes: 0, dropped: 0 });

describe('authn metrics', () => {
  it('process metrics carry their stock names (process_*, nodejs_*), authn metrics their authtrail_authn_ prefix', async () => {
    const text = await createAuthnMetrics({ publisherStats: stats }).registry.metrics();
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);
    expect(text).toMatch(/^# TYPE authtrail_authn_decisions_total counter$/m);
    expect(text).not.toMatch(/^# TYPE authtrail_authn_(process|nodejs)_/m);
  });

  it('without default metrics there are no process metrics', async () => {
    const text = await createAuthnMetrics({ publisherStats: stats, defaultMetrics: false }).registry.metrics();
    expect(text).not.toContain('process_cpu_seconds_total');
  });

  it('authtrail_authn_ready follows readiness at scrape time', async () => {
    let ready = false;
    const { registry } = createAuthnMetrics({ publisherStats: stats, defaultMetrics: false, ready: () => ready });
    expect(await registry.metrics()).toMatch(/^authtrail_authn_ready 0$/m);
    ready = true;
    expect(await registry.metrics()).toMatch(/^authtrail_authn_ready 1$/m);
  });
});
