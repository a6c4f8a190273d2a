import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { freePort, startKafkaBroker, testDatabaseServerUrl, type RunningKafkaBroker } from '@authtrail/testing';

// docker-compose.yml, without Docker: `docker-compose config` (Debian's docker-compose) resolves
// the file, then every authtrail service runs with exactly the command and environment it gives,
// on this machine. Compose hostnames map to loopback (kafka → a private test broker, postgres →
// the test server with the compose credentials), container paths map to folders here (as the
// volumes do), published ports to free ports (as `ports:` does).
const workspaceRoot = path.resolve(__dirname, '../../../..');
const SERVICES = ['authn', 'projector', 'graphql-api', 'siem-exporter'] as const;
const dir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-compose-'));

interface ComposeService {
  readonly command?: string[];
  readonly entrypoint?: string[];
  readonly environment?: Record<string, string>;
  readonly volumes?: (string | { source: string; target: string })[];
}

function composeConfig(): { services: Record<string, ComposeService> } {
  const resolved = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: workspaceRoot, encoding: 'utf8' });
  if (resolved.status !== 0) throw new Error(`docker-compose config failed: ${resolved.stderr}`);
  return parse(resolved.stdout) as { services: Record<string, ComposeService> };
}

let broker: RunningKafkaBroker;
const children: ChildProcess[] = [];
const output = new Map<string, string>();

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms; output:\n${[...output].map(([k, v]) => `--- ${k}\n${v.slice(-3000)}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The test server gets the role and database the compose file's DATABASE_URL names. */
async function composeDatabase(composeUrl: string): Promise<string> {
  const wanted = new URL(composeUrl);
  const database = `${wanted.pathname.slice(1)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: testDatabaseServerUrl() });
  await admin.connect();
  try {
    await admin.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${wanted.username}') THEN CREATE ROLE "${wanted.username}" LOGIN PASSWORD '${wanted.password}'; END IF; END $$`);
    await admin.query(`CREATE DATABASE "${database}" OWNER "${wanted.username}"`);
  } finally {
    await admin.end();
  }
  const local = new URL(testDatabaseServerUrl());
  wanted.hostname = local.hostname;
  wanted.port = local.port;
  wanted.pathname = `/${database}`;
  return wanted.toString();
}

describe('docker-compose.yml, service by service', () => {
  const compose = composeConfig();
  const ports = { authn: 0, authnTls: 0, graphql: 0, siemMetrics: 0, projectorMetrics: 0 };
  let demoDir = '';

  beforeAll(async () => {
    broker = await startKafkaBroker({ log: () => undefined });
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();

    // demo-init: the same CLI command, writing where the `demo` volume would be.
    demoDir = path.join(dir, 'demo');
    const init = compose.services['demo-init'];
    const initCommand = (init.command ?? []).join(' ').replace('--dir /demo', `--dir ${demoDir}`).replace(/ && chown .*$/, '');
    const demoInit = spawnSync('sh', ['-c', initCommand], { cwd: workspaceRoot, encoding: 'utf8' });
    expect(demoInit.status).toBe(0);

    // The mounted config, with container paths pointed at their host folders.
    const mounted = readFileSync(path.join(workspaceRoot, 'infra/docker/authtrail.yaml'), 'utf8')
      .replaceAll('/demo/', `${demoDir}/`)
      .replaceAll('/var/lib/authtrail', path.join(dir, 'state'))
      // The exporter's metrics port (9464 in the container), remapped like the published ports.
      .replace(/^siem:\n/m, `siem:\n  metrics: { port: ${ports.siemMetrics} }\n`);
    writeFileSync(path.join(dir, 'authtrail.yaml'), mounted);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    await broker?.destroy();
  });

  it('docker-compose config accepts the file and names every service', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['authn', 'demo-init', 'graphql-api', 'kafka', 'kafka-init', 'postgres', 'projector', 'siem-exporter']);
    expect(compose.services['kafka'] as { image: string }).toMatchObject({ image: 'apache/kafka:3.9.1' });
  });

  it('every service starts with its compose command and environment; a TokenReview and a GraphQL query go through them', async () => {
    const databaseUrl = await composeDatabase(compose.services['projector'].environment?.['DATABASE_URL'] ?? '');
    const loopback = (env: Record<string, string>): Record<string, string> => ({
      ...env,
      AUTHTRAIL_CONFIG: path.join(dir, 'authtrail.yaml'),
      KAFKA_BROKERS: env['KAFKA_BROKERS'] === 'kafka:9092' ? broker.brokers : env['KAFKA_BROKERS'],
      DATABASE_URL: databaseUrl,
      AUTHTRAIL_LOG_LEVEL: 'warn',
      // Published ports, remapped to free ones.
      AUTHTRAIL_HTTP_PORT: String(ports.authn),
      AUTHTRAIL_HTTPS_PORT: String(ports.authnTls),
      AUTHTRAIL_GRAPHQL_PORT: String(ports.graphql),
      ...(env['PROJECTOR_METRICS_PORT'] ? { PROJECTOR_METRICS_PORT: String(ports.projectorMetrics) } : {}),
    });
    for (const name of SERVICES) {
      const service = compose.services[name];
      const [executable, ...args] = service.command ?? [];
      expect({ name, volumes: service.volumes?.length }).toEqual({ name, volumes: 2 });
      const env = loopback(service.environment ?? {});
      expect(env['AUTHTRAIL_FINGERPRINT_KEY']).toBe(service.environment?.['AUTHTRAIL_FINGERPRINT_KEY']);
      const child = spawn(executable === 'node' ? process.execPath : executable, args, { cwd: workspaceRoot, env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      output.set(name, '');
      child.stdout?.on('data', (d) => output.set(name, `${output.get(name)}${d}`));
      child.stderr?.on('data', (d) => output.set(name, `${output.get(name)}${d}`));
      children.push(child);
    }

    const authn = `http://127.0.0.1:${ports.authn}`;
    const graphql = `http://127.0.0.1:${ports.graphql}`;
    await until('authn ready', async () => (await fetch(`${authn}/readyz`)).status === 200);
    await until('graphql-api up', async () => (await fetch(`${graphql}/healthz`)).status === 200);
    // The healthchecks of the Dockerfiles, on the remapped ports.
    await until('projector healthy', async () => (await fetch(`http://127.0.0.1:${ports.projectorMetrics}/healthz`)).status === 200);
    await until('siem-exporter healthy', async () => (await fetch(`http://127.0.0.1:${ports.siemMetrics}/healthz`)).status === 200);

    const secrets = JSON.parse(readFileSync(path.join(demoDir, 'demo-secrets.json'), 'utf8')) as { adminToken: string; viewerToken: string };
    const review = await fetch(`${authn}/apis/authentication.k8s.io/v1/tokenreviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: secrets.viewerToken } }),
    });
    expect(await review.json()).toMatchObject({ status: { authenticated: true, user: { username: 'alice' } } });

    const query = async () => {
      const response = await fetch(`${graphql}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.adminToken}` },
        body: JSON.stringify({ query: '{ identity(username: "alice") { username successCount strategies } }' }),
      });
      return (await response.json()) as { data?: { identity: { username: string; successCount: number; strategies: string[] } | null } };
    };
    await until('the projector wrote alice', async () => ((await query()).data?.identity?.successCount ?? 0) >= 1);
    expect((await query()).data?.identity).toEqual({ username: 'alice', successCount: 1, strategies: ['static-token'] });

    // siem-exporter: the OCSF view of that decision reaches its topic.
    await until('siem-exporter delivered to authtrail.ocsf.v1', async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${ports.siemMetrics}/metrics`)).text();
      return /authtrail_siem_delivered_total\{[^}]*sink="kafka-ocsf-0"[^}]*\} [1-9]/.test(metrics);
    });
    for (const child of children) expect({ pid: child.pid, exitCode: child.exitCode }).toEqual({ pid: child.pid, exitCode: null });
  }, 180_000);
});
