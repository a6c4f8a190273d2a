// The standalone projector (main.ts) as compose and Kubernetes run it: metrics listener on all
// interfaces through PROJECTOR_METRICS_HOST, the process metrics unprefixed next to the
// projector's own, and log lines that name the service.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, freePort, spawnService, nonLoopbackIpv4, testKafkaBrokers, uniqueTopic, waitFor, type SpawnedService } from '@authtrail/testing';

const ROOT = resolve(__dirname, '../../../..');

describe('standalone projector metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'projector-metrics-'));
  let projector: SpawnedService | undefined;
  afterAll(async () => {
    await projector?.stop(20_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics on PROJECTOR_METRICS_HOST=0.0.0.0 with unprefixed process metrics, and logs as service projector', async () => {
    const port = await freePort();
    const host = nonLoopbackIpv4();
    projector = spawnService({
      name: 'projector',
      root: ROOT,
      script: 'services/projector/src/main.ts',
      args: ['run'],
      env: {
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        DATABASE_URL: await createTestDatabase('projector_metrics'),
        AUTHTRAIL_DATA_DIR: dir,
        AUTHTRAIL_LOG_LEVEL: 'info',
        PROJECTOR_GROUP_ID: uniqueTopic('projector-metrics-group'),
        PROJECTOR_TOPICS: uniqueTopic('projector-metrics-decisions'),
        PROJECTOR_DEAD_LETTER_TOPIC: uniqueTopic('projector-metrics-dlq'),
        PROJECTOR_METRICS_PORT: String(port),
        PROJECTOR_METRICS_HOST: '0.0.0.0',
      },
    });
    const text = await waitFor('the projector /metrics on a non-loopback address', async () => (await fetch(`http://${host}:${port}/metrics`)).text(), {
      timeoutMs: 90_000,
      diagnostics: () => projector?.output().slice(-3000) ?? '',
    });
    expect(text).toMatch(/^# TYPE authtrail_projector_events_total counter$/m);
    expect(text.match(/^# TYPE process_cpu_seconds_total counter$/gm)).toHaveLength(1);
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);
    expect(text).not.toMatch(/^# TYPE authtrail_\w+_(process|nodejs)_/m);
    expect((await fetch(`http://${host}:${port}/healthz`)).status).toBe(200);

    await projector.waitForOutput('projector running', 30_000);
    const lines = projector
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { service?: string; msg?: string });
    expect(lines.length).toBeGreaterThan(0);
    expect([...new Set(lines.map((l) => l.service))]).toEqual(['projector']);
  }, 120_000);
});
