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

  it('counts each decision and attempt under its own label values, however they share a prefix', async () => {
    const metrics = createAuthnMetrics({ publisherStats: stats, defaultMetrics: false });
    const decisions = [
      ['tokenreview', 'allow', 'ok', 'static-token'],
      ['tokenreview', 'allow', 'ok', 'static-token'],
      ['tokenreview', 'allow', 'ok', 'service-account'],
      ['tokenreview', 'deny', 'unknown_token', 'static-token'],
      ['forward-auth', 'allow', 'ok', 'static-token'],
      ['forward-auth', 'deny', 'no_credentials', undefined],
    ] as const;
    for (const [endpoint, decision, reason, strategy] of decisions) metrics.recordDecision(endpoint, decision, reason, strategy, 0.002);
    metrics.recordAttempts([{ strategy: 'static-token', outcome: 'rejected', reason: 'unknown_token' }, { strategy: 'service-account', outcome: 'authenticated', reason: 'ok' }]);
    metrics.recordAttempts([{ strategy: 'static-token', outcome: 'rejected', reason: 'unknown_token' }, { strategy: 'static-token', outcome: 'abstained' }]);
    const text = await metrics.registry.metrics();
    for (const line of [
      'authtrail_authn_decisions_total{endpoint="tokenreview",decision="allow",reason="ok",strategy="static-token"} 2',
      'authtrail_authn_decisions_total{endpoint="tokenreview",decision="allow",reason="ok",strategy="service-account"} 1',
      'authtrail_authn_decisions_total{endpoint="tokenreview",decision="deny",reason="unknown_token",strategy="static-token"} 1',
      'authtrail_authn_decisions_total{endpoint="forward-auth",decision="allow",reason="ok",strategy="static-token"} 1',
      'authtrail_authn_decisions_total{endpoint="forward-auth",decision="deny",reason="no_credentials",strategy="none"} 1',
      'authtrail_authn_decision_duration_seconds_count{endpoint="tokenreview",decision="allow"} 3',
      'authtrail_authn_decision_duration_seconds_count{endpoint="tokenreview",decision="deny"} 1',
      'authtrail_authn_decision_duration_seconds_count{endpoint="forward-auth",decision="allow"} 1',
      'authtrail_authn_decision_duration_seconds_count{endpoint="forward-auth",decision="deny"} 1',
      'authtrail_authn_attempts_total{strategy="static-token",result="rejected",reason="unknown_token"} 2',
      'authtrail_authn_attempts_total{strategy="service-account",result="authenticated",reason="ok"} 1',
      'authtrail_authn_attempts_total{strategy="static-token",result="abstained",reason="none"} 1',
    ]) {
      expect(text).toContain(line);
    }
    expect(text.match(/^authtrail_authn_decisions_total\{/gm)).toHaveLength(5);
  });
});
