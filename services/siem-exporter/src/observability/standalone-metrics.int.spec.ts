// The standalone siem-exporter (main.ts) as compose and Kubernetes run it: the listener moved by
// SIEM_METRICS_HOST / SIEM_METRICS_PORT, the process metrics unprefixed next to the exporter's
// own, and log lines that name the service.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, spawnService, nonLoopbackIpv4, testKafkaBrokers, uniqueTopic, waitFor, type SpawnedService } from '@authtrail/testing';

const ROOT = resolve(__dirname, '../../../..');

describe('standalone siem-exporter metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'siem-metrics-'));
  let exporter: SpawnedService | undefined;
  afterAll(async () => {
    await exporter?.stop(20_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics where SIEM_METRICS_HOST and SIEM_METRICS_PORT say, with unprefixed process metrics, and logs as service siem-exporter', async () => {
    const port = await freePort();
    const host = nonLoopbackIpv4();
    const configFile = join(dir, 'authtrail.yaml');
    // The file says loopback and another port: the environment wins, as in containers.
    writeFileSync(
      configFile,
      [
        `dataDir: ${dir}`,
        'siem:',
        `  groupId: ${uniqueTopic('siem-metrics-group')}`,
        `  topics: { decisions: ${uniqueTopic('siem-metrics-dec')}, control: ${uniqueTopic('siem-metrics-ctl')}, deadLetter: ${uniqueTopic('siem-metrics-dlq')} }`,
        '  metrics: { port: 1, host: 127.0.0.1 }',
        `  sinks: [{ type: kafka-ocsf, name: ocsf, topic: ${uniqueTopic('siem-metrics-ocsf')} }]`,
        '',
      ].join('\n'),
    );
    exporter = spawnService({
      name: 'siem-exporter',
      root: ROOT,
      script: 'services/siem-exporter/src/main.ts',
      args: ['--config', configFile],
      env: { KAFKA_BROKERS: testKafkaBrokers().join(','), SIEM_METRICS_HOST: '0.0.0.0', SIEM_METRICS_PORT: String(port) },
    });
    const text = await waitFor('the siem-exporter /metrics on a non-loopback address', async () => (await fetch(`http://${host}:${port}/metrics`)).text(), {
      timeoutMs: 90_000,
      diagnostics: () => exporter?.output().slice(-3000) ?? '',
    });
    expect(text).toMatch(/^# TYPE authtrail_siem_delivered_total counter$/m);
    expect(text.match(/^# TYPE process_cpu_seconds_total counter$/gm)).toHaveLength(1);
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);
    expect(text).not.toMatch(/^# TYPE authtrail_\w+_(process|nodejs)_/m);
    expect((await fetch(`http://${host}:${port}/readyz`)).status).toBe(200);

    await exporter.waitForOutput('siem exporter started', 30_000);
    const lines = exporter
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { service?: string });
    expect(lines.length).toBeGreaterThan(0);
    expect([...new Set(lines.map((l) => l.service))]).toEqual(['siem-exporter']);
  }, 120_000);
});
