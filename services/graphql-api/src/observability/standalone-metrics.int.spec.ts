// The standalone graphql-api (main.ts) with the harness Kafka and PostgreSQL: /metrics on its
// HTTP port next to /healthz, counting requests and its callers' decisions, the process metrics
// unprefixed and once, its decision bus' `authtrail_events_*`, and log lines that name the service.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runMigrations } from '@authtrail/read-model';
import { createTestDatabase, freePort, spawnService, testKafkaBrokers, waitFor, type SpawnedService } from '@authtrail/testing';

const ROOT = resolve(__dirname, '../../../..');

describe('standalone graphql-api metrics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphql-metrics-'));
  const adminToken = randomBytes(24).toString('hex');
  let api: SpawnedService | undefined;
  afterAll(async () => {
    await api?.stop(20_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics on port 4000 (here: a free one) with requests, decisions and unprefixed process metrics', async () => {
    const port = await freePort();
    const databaseUrl = await createTestDatabase('graphql_metrics');
    await runMigrations(databaseUrl);
    writeFileSync(join(dir, 'tokens.csv'), `${adminToken},ops-admin,uid-ops,"authtrail:admins"\n`);
    writeFileSync(
      join(dir, 'authtrail.yaml'),
      [`dataDir: ${dir}`, 'authn:', `  strategies: [{ id: static-token, tokenFile: ${join(dir, 'tokens.csv')} }]`, `graphql: { port: ${port}, host: 127.0.0.1 }`, 'fingerprint:', `  keys: [{ id: test, secret: "${randomBytes(32).toString('base64')}" }]`, ''].join('\n'),
    );
    api = spawnService({
      name: 'graphql-api',
      root: ROOT,
      script: 'services/graphql-api/src/main.ts',
      args: ['--config', join(dir, 'authtrail.yaml')],
      env: { KAFKA_BROKERS: testKafkaBrokers().join(','), DATABASE_URL: databaseUrl, AUTHTRAIL_LOG_LEVEL: 'info' },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor('graphql-api ready', async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), { timeoutMs: 90_000, diagnostics: () => api?.output().slice(-3000) ?? '' });
    const query = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ query: '{ policy { version } }' }) });
    expect(query.status).toBe(200);
    expect((await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-known-token' }, body: '{"query":"{ policy { version } }"}' })).status).toBe(401);

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('authtrail_graphql_api_requests_total{route="/graphql",status="200"} 1');
    expect(text).toContain('authtrail_graphql_api_requests_total{route="/graphql",status="401"} 1');
    expect(text).toContain('authtrail_graphql_api_decisions_total{decision="allow",reason="ok",strategy="static-token"} 1');
    expect(text).toContain('authtrail_graphql_api_decisions_total{decision="deny",reason="unknown_token",strategy="static-token"} 1');
    expect(text).toMatch(/^authtrail_graphql_api_ready 1$/m);
    expect(text).toMatch(/^authtrail_events_published_total\{client_id="[^"]+",topic="authtrail\.decisions\.v1"\} 2$/m);
    expect(text.match(/^# TYPE process_cpu_seconds_total counter$/gm)).toHaveLength(1);
    expect(text).not.toMatch(/^# TYPE authtrail_\w+_(process|nodejs)_/m);
    expect(text).not.toContain(adminToken);

    const lines = api
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { service?: string });
    expect(lines.length).toBeGreaterThan(0);
    expect([...new Set(lines.map((l) => l.service))]).toEqual(['graphql-api']);
    expect(api.output()).not.toContain(adminToken);
  }, 120_000);
});
