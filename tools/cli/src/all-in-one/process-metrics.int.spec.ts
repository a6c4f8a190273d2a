import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@authtrail/config';
import { validateStrategyConfig } from '@authtrail/strategies';
import { createTestDatabase, waitFor } from '@authtrail/testing';
import { startAllInOne, type RunningAllInOne } from './start-all';
import { alertRules, dashboardExprs, metricNamesIn } from './testdata/operations-files';

// `npm start`'s process (start-all) on the harness PostgreSQL and the in-process bus: one
// /metrics for all four services, the process metrics once and unprefixed, each log line naming
// its service, and every metric the alert rules and the dashboard use present in a real scrape.
const dir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-process-metrics-'));
const adminToken = randomBytes(24).toString('hex');
const logLines: Record<string, unknown>[] = [];
const logText: string[] = [];
let running: RunningAllInOne;

/** Metric families of an exposition text: name → type, from its `# TYPE` lines. */
function families(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** A name as PromQL selects it, back to its family (`x_bucket` of histogram `x` is `x`). */
function familyOf(name: string, scraped: Map<string, string>): string {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && (scraped.get(base) === 'histogram' || scraped.get(base) === 'summary') ? base : name;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

beforeAll(async () => {
  writeFileSync(path.join(dir, 'tokens.csv'), `${adminToken},ops-admin,uid-ops,"authtrail:admins"\n`);
  const databaseUrl = await createTestDatabase('process_metrics');
  writeFileSync(
    path.join(dir, 'authtrail.yaml'),
    [
      `dataDir: ${JSON.stringify(dir)}`,
      'authn:',
      '  http: { port: 0, host: 127.0.0.1 }',
      `  strategies: [{ id: static-token, tokenFile: ${JSON.stringify(path.join(dir, 'tokens.csv'))} }]`,
      `database: { url: ${JSON.stringify(databaseUrl)} }`,
      'graphql: { port: 0, host: 127.0.0.1 }',
      'log: { level: info }',
    ].join('\n'),
  );
  const config = loadConfig({ argv: ['--config', path.join(dir, 'authtrail.yaml')], env: {}, validateStrategy: validateStrategyConfig });
  const destination = {
    write(line: string) {
      logText.push(line);
      logLines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  running = await startAllInOne(config, () => undefined, { logDestination: destination });

  const tokenReview = (token: string) =>
    fetch(`${running.authn.http.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }),
    });
  await waitFor('authn ready', async () => ((await fetch(`${running.authn.http.url}/readyz`)).status === 200 ? true : undefined));
  expect((await tokenReview(adminToken)).status).toBe(200);
  expect((await tokenReview('not-a-known-token')).status).toBe(200);
  await waitFor('graphql-api ready', async () => ((await fetch(`${running.graphql.url}/readyz`)).status === 200 ? true : undefined));
  const query = await fetch(`${running.graphql.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ query: '{ policy { version } }' }) });
  expect(query.status).toBe(200);
  // The decisions reach the projector and the exporter through the bus.
  await waitFor('decisions projected and exported', async () => {
    const text = await scrape(running.authn.http.url);
    return /^authtrail_projector_events_total\{.*result="projected"\} [1-9]/m.test(text) && /^authtrail_siem_delivered_total\{.*\} [1-9]/m.test(text) ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start: one process, every service on /metrics', () => {
  it("authn's /metrics carries all four services, the process metrics once and unprefixed", async () => {
    const text = await scrape(running.authn.http.url);
    const scraped = families(text);
    for (const name of ['authtrail_authn_decisions_total', 'authtrail_projector_events_total', 'authtrail_siem_delivered_total', 'authtrail_graphql_api_requests_total', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds']) {
      expect({ name, type: scraped.get(name) }).toEqual({ name, type: expect.any(String) });
    }
    expect(text.match(/^# TYPE process_cpu_seconds_total /gm)).toHaveLength(1);
    expect([...scraped.keys()].filter((n) => /^authtrail_\w+_(process|nodejs)_/.test(n))).toEqual([]);
  });

  it('counts what happened: two TokenReviews, one GraphQL call by the admin, ready', async () => {
    const text = await scrape(running.authn.http.url);
    expect(text).toContain('authtrail_authn_decisions_total{endpoint="tokenreview",decision="allow",reason="ok",strategy="static-token"} 1');
    expect(text).toContain('authtrail_authn_decisions_total{endpoint="tokenreview",decision="deny",reason="unknown_token",strategy="static-token"} 1');
    expect(text).toContain('authtrail_graphql_api_decisions_total{decision="allow",reason="ok",strategy="static-token"} 1');
    expect(text).toContain('authtrail_graphql_api_requests_total{route="/graphql",status="200"} 1');
    expect(text).toMatch(/^authtrail_authn_ready 1$/m);
    expect(text).toMatch(/^authtrail_graphql_api_ready 1$/m);
    expect(text).not.toContain(adminToken);
  });

  it("graphql-api's /metrics is the same process view", async () => {
    const fromAuthn = [...families(await scrape(running.authn.http.url)).keys()].sort();
    const fromGraphql = [...families(await scrape(running.graphql.url)).keys()].sort();
    expect(fromGraphql).toEqual(fromAuthn);
  });

  it('every metric the alert rules and the dashboard use is in the scrape', async () => {
    const scraped = families(await scrape(running.authn.http.url));
    const used = [...alertRules().map((r) => ({ where: r.alert, expr: r.expr })), ...dashboardExprs().map((d) => ({ where: d.panel, expr: d.expr }))];
    // `up` is Prometheus' own series about each target, never served by one.
    const missing = used.flatMap(({ where, expr }) => metricNamesIn(expr).filter((name) => name !== 'up' && !scraped.has(familyOf(name, scraped))).map((name) => `${where}: ${name}`));
    expect(missing).toEqual([]);
    expect(used.length).toBeGreaterThan(20);
  });
});

describe('npm start: each log line names its service', () => {
  it('the lines of authn, projector, siem-exporter and graphql-api each say which service wrote them', () => {
    const serviceOf = (msg: string | RegExp) => [...new Set(logLines.filter((l) => (typeof msg === 'string' ? l['msg'] === msg : msg.test(String(l['msg'])))).map((l) => l['service']))];
    expect(serviceOf('authn listening')).toEqual(['authn']);
    expect(serviceOf(/^resuming partitions/)).toEqual(['projector']);
    expect(serviceOf('siem exporter started')).toEqual(['siem-exporter']);
    expect(serviceOf('request')).toEqual(['graphql-api']);
    expect(logLines.filter((l) => typeof l['service'] !== 'string')).toEqual([]);
  });

  it('no log line holds the token', () => {
    expect(logText.join('')).not.toContain(adminToken);
  });
});
