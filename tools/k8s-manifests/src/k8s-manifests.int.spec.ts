// infra/k8s read by Kubernetes' own code (issue #18, item 4). The Go program of this project
// (../main.go, built by the test, cached under node_modules/.cache) renders each overlay with
// kustomize's Go API and decodes every object with Kubernetes' Go types (k8s.io/api v0.37.2,
// prometheus-operator's monitoring/v1 for ServiceMonitor) in strict mode; this spec then reads
// the typed objects against the images (infra/docker/<service>.Dockerfile), the config loader
// (libs/config, the strategies' own checks, the siem-exporter's section), and the list of what
// the operator provides (docs/kubernetes-deployment.md).
//
// Expected values come from those inputs: the contract of issue #18 (four services, UID 10001,
// /var/lib/authtrail and /tmp writable) and the ports of each service as DESIGN and the images
// define them.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readConfig, type AuthtrailConfig } from '@authtrail/config';
import { parseSiemConfig } from '@authtrail/siem-exporter';
import { validateStrategyConfig } from '@authtrail/strategies';
import { buildGoProgram } from '@authtrail/testing';
import { argvProblems, type AcceptedFlags } from './container-argv';
import { parseDockerfile } from './dockerfile';
import { parseOperatorProvided, type OperatorProvided } from './operator-provided';
import { render, type KubeObject, type KustomizationResult, type RenderedObject } from './render';

const MODULE_DIR = join(__dirname, '..');
const REPO_ROOT = join(MODULE_DIR, '../..');
const K8S = join(REPO_ROOT, 'infra/k8s');
const OVERLAYS = { production: join(K8S, 'overlays/production'), minimal: join(K8S, 'overlays/minimal') } as const;
const SERVICES = ['authn', 'projector', 'graphql-api', 'siem-exporter'] as const;
type ServiceName = (typeof SERVICES)[number];
/** The ports of the image contract (issue #18): the named ports probes and Services use. */
const PORTS: Record<ServiceName, Record<string, number>> = {
  authn: { http: 8080, https: 8443 },
  'graphql-api': { http: 4000 },
  projector: { metrics: 9465 },
  'siem-exporter': { metrics: 9466 },
};
/** The flag every main.ts hands to loadConfig (libs/config load-config.ts configFileArgument). */
const ACCEPTED_FLAGS: AcceptedFlags = { withValue: ['--config', '-c'] };
const UID = 10001;
const WRITABLE = ['/tmp', '/var/lib/authtrail'];

/** Values an operator puts in the Secrets the doc lists, to load the config as a pod would. */
const SAMPLE_SECRET_VALUES: Record<string, string> = {
  'authtrail-database/DATABASE_URL': 'postgres://authtrail:pw@postgres.db.svc:5432/authtrail',
  'authtrail-fingerprint/keys': `k8s-2026:${randomBytes(32).toString('base64')}`,
};

// ---------------------------------------------------------------------------------------------
// The parts of the typed objects this spec reads (names as in k8s.io/api).

interface KeyRef { readonly name: string; readonly key: string }
interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly configMapKeyRef?: KeyRef; readonly secretKeyRef?: KeyRef; readonly fieldRef?: { readonly fieldPath: string } };
}
interface Probe { readonly httpGet?: { readonly path?: string; readonly port: number | string }; readonly tcpSocket?: { readonly port: number | string } }
interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: { readonly drop?: readonly string[]; readonly add?: readonly string[] };
  readonly seccompProfile?: { readonly type: string };
}
interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string }; readonly secretRef?: { readonly name: string } }[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly startupProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly securityContext?: SecurityContext;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly subPath?: string; readonly readOnly?: boolean }[];
}
interface Volume {
  readonly name: string;
  readonly configMap?: { readonly name: string };
  readonly secret?: { readonly secretName: string };
  readonly emptyDir?: Record<string, unknown>;
  readonly projected?: { readonly sources: readonly { readonly configMap?: { readonly name: string }; readonly secret?: { readonly name: string } }[] };
}
interface PodSpec {
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly volumes?: readonly Volume[];
  readonly securityContext?: SecurityContext;
  readonly automountServiceAccountToken?: boolean;
  readonly enableServiceLinks?: boolean;
}
interface Deployment extends KubeObject {
  readonly spec: { readonly replicas?: number; readonly selector: Selector; readonly template: { readonly metadata: { readonly labels?: Record<string, string> }; readonly spec: PodSpec } };
}
interface Selector { readonly matchLabels?: Record<string, string>; readonly matchExpressions?: readonly unknown[] }
interface Service extends KubeObject { readonly spec: { readonly selector?: Record<string, string>; readonly ports: readonly { readonly name?: string; readonly port: number; readonly targetPort?: number | string }[] } }
interface ServiceMonitor extends KubeObject { readonly spec: { readonly selector: Selector; readonly endpoints: readonly { readonly port?: string; readonly path?: string }[] } }
interface Selecting extends KubeObject { readonly spec: { readonly selector?: Selector; readonly podSelector?: Selector } }
interface DataObject extends KubeObject { readonly data?: Record<string, string>; readonly stringData?: Record<string, string> }

// ---------------------------------------------------------------------------------------------

let binary: string;
const rendered = new Map<keyof typeof OVERLAYS, KustomizationResult>();
let operatorProvided: OperatorProvided[];

beforeAll(async () => {
  binary = await buildGoProgram(MODULE_DIR, 'k8s-manifests');
  const run = await render(binary, Object.values(OVERLAYS));
  (Object.keys(OVERLAYS) as (keyof typeof OVERLAYS)[]).forEach((overlay, i) => rendered.set(overlay, run.results[i]!));
  operatorProvided = parseOperatorProvided(readFileSync(join(REPO_ROOT, 'docs/kubernetes-deployment.md'), 'utf8'));
}, 20 * 60_000);

const objectsOf = (overlay: keyof typeof OVERLAYS): RenderedObject[] => [...rendered.get(overlay)!.objects];
const typed = <T extends KubeObject>(overlay: keyof typeof OVERLAYS, kind: string): T[] =>
  objectsOf(overlay).filter((o) => o.kind === kind).map((o) => o.object as T);
const matches = (selector: Selector | undefined, labels: Record<string, string> | undefined): boolean =>
  !!selector?.matchLabels && Object.keys(selector.matchLabels).length > 0 && (selector.matchExpressions ?? []).length === 0 &&
  Object.entries(selector.matchLabels).every(([k, v]) => labels?.[k] === v);
const serviceOf = (deployment: Deployment): ServiceName => {
  const service = SERVICES.find((s) => deployment.metadata.name === `authtrail-${s}`);
  if (!service) throw new Error(`Deployment ${deployment.metadata.name} is none of the four services`);
  return service;
};

/** The rendered ConfigMap or Secret, or undefined when the operator provides it. */
function providedObject(overlay: keyof typeof OVERLAYS, kind: 'ConfigMap' | 'Secret', name: string): DataObject | undefined {
  return typed<DataObject>(overlay, kind).find((o) => o.metadata.name === name);
}

/** The keys a referenced ConfigMap or Secret has: rendered data, or what the doc promises. */
function keysOf(overlay: keyof typeof OVERLAYS, kind: 'ConfigMap' | 'Secret', name: string): readonly string[] | undefined {
  const object = providedObject(overlay, kind, name);
  if (object) return [...Object.keys(object.data ?? {}), ...Object.keys(object.stringData ?? {})];
  return operatorProvided.find((o) => o.kind === kind && o.name === name)?.keys;
}

/** Every ConfigMap and Secret a pod names, with the key when it names one. */
function references(pod: PodSpec): { kind: 'ConfigMap' | 'Secret'; name: string; key?: string; where: string }[] {
  const refs: { kind: 'ConfigMap' | 'Secret'; name: string; key?: string; where: string }[] = [];
  for (const v of pod.volumes ?? []) {
    if (v.configMap) refs.push({ kind: 'ConfigMap', name: v.configMap.name, where: `volume ${v.name}` });
    if (v.secret) refs.push({ kind: 'Secret', name: v.secret.secretName, where: `volume ${v.name}` });
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) refs.push({ kind: 'ConfigMap', name: s.configMap.name, where: `volume ${v.name}` });
      if (s.secret) refs.push({ kind: 'Secret', name: s.secret.name, where: `volume ${v.name}` });
    }
  }
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef;
      const secret = e.valueFrom?.secretKeyRef;
      if (cm) refs.push({ kind: 'ConfigMap', name: cm.name, key: cm.key, where: `${c.name} env ${e.name}` });
      if (secret) refs.push({ kind: 'Secret', name: secret.name, key: secret.key, where: `${c.name} env ${e.name}` });
    }
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef) refs.push({ kind: 'ConfigMap', name: e.configMapRef.name, where: `${c.name} envFrom` });
      if (e.secretRef) refs.push({ kind: 'Secret', name: e.secretRef.name, where: `${c.name} envFrom` });
    }
  }
  return refs;
}

/** The environment the container gets, with the doc's sample values for operator Secrets. */
function containerEnv(overlay: keyof typeof OVERLAYS, container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (from?.fieldRef) env[e.name] = 'authtrail-pod-0';
    else if (from?.configMapKeyRef) {
      const value = providedObject(overlay, 'ConfigMap', from.configMapKeyRef.name)?.data?.[from.configMapKeyRef.key];
      if (value === undefined) throw new Error(`${container.name} env ${e.name}: ConfigMap ${from.configMapKeyRef.name} has no key ${from.configMapKeyRef.key}`);
      env[e.name] = value;
    } else if (from?.secretKeyRef) {
      const sample = SAMPLE_SECRET_VALUES[`${from.secretKeyRef.name}/${from.secretKeyRef.key}`];
      if (sample === undefined) throw new Error(`${container.name} env ${e.name}: no sample value for Secret ${from.secretKeyRef.name} key ${from.secretKeyRef.key} in this spec`);
      env[e.name] = sample;
    }
  }
  return env;
}

/** The mount a path falls under (the longest mountPath that is a prefix). */
function mountOf(container: Container, path: string) {
  return (container.volumeMounts ?? [])
    .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

/** Files a service opens at boot: TLS files (authn), strategy files (authn, graphql-api), the policy. */
function filesOpened(service: ServiceName, config: AuthtrailConfig): { key: string; path: string }[] {
  const files: { key: string; path: string }[] = [];
  const add = (key: string, value: unknown) => {
    if (typeof value === 'string') files.push({ key, path: value });
    if (Array.isArray(value)) value.forEach((v, i) => add(`${key}[${i}]`, v));
  };
  const strategyFiles = (prefix: string, strategies: readonly Record<string, unknown>[]) =>
    strategies.forEach((s, i) => Object.entries(s).forEach(([k, v]) => /(File|Files|Dir)$/.test(k) && add(`${prefix}[${i}].${k}`, v)));
  if (service === 'authn') {
    const https = config.authn.https;
    if (https) for (const k of ['certFile', 'keyFile', 'clientCAFile'] as const) add(`authn.https.${k}`, https[k]);
    strategyFiles('authn.strategies', config.authn.strategies as unknown as Record<string, unknown>[]);
    add('authn.authenticationConfiguration', config.authn.authenticationConfiguration);
  }
  if (service === 'graphql-api') {
    const own = config.graphql.auth.strategies;
    strategyFiles(own ? 'graphql.auth.strategies' : 'authn.strategies', (own ?? config.authn.strategies) as unknown as Record<string, unknown>[]);
  }
  if (service === 'authn' || service === 'graphql-api') add('policy.file', config.policy.file);
  return files;
}

describe.each(Object.keys(OVERLAYS) as (keyof typeof OVERLAYS)[])('infra/k8s/overlays/%s', (overlay) => {
  const deployments = () => typed<Deployment>(overlay, 'Deployment');
  const pods = () => deployments().flatMap((d) => d.spec.template.spec.containers.map((c) => ({ deployment: d, service: serviceOf(d), pod: d.spec.template.spec, container: c })));

  it('renders with kustomize, and every object decodes into its Kubernetes Go type in strict mode and passes apimachinery validation', () => {
    const result = rendered.get(overlay)!;
    expect(result.error).toBeUndefined();
    const failures = result.objects.filter((o) => o.errors.length > 0 || !o.object).map((o) => `${o.kind}/${o.name}: ${o.errors.join('; ')}`);
    expect(failures).toEqual([]);
    expect(result.objects.length).toBeGreaterThan(0);
  });

  it('has a Deployment, Service, PodDisruptionBudget and NetworkPolicy for each of the four services, all in the authtrail namespace', () => {
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy']) {
      expect(typed(overlay, kind).map((o) => o.metadata.name).filter((n) => n !== 'authtrail-default-deny-ingress').sort()).toEqual(SERVICES.map((s) => `authtrail-${s}`).sort());
    }
    const namespaced = objectsOf(overlay).filter((o) => o.kind !== 'Namespace');
    expect(namespaced.filter((o) => o.namespace !== 'authtrail').map((o) => `${o.kind}/${o.name}`)).toEqual([]);
  });

  it('runs each service from its own image with a pinned tag or digest, never :latest', () => {
    for (const { service, container } of pods()) {
      const image = /^(?<name>[^@]+?)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$/.exec(container.image)?.groups;
      expect({ container: container.name, name: image?.['name']?.split('/').pop() }).toEqual({ container: container.name, name: service });
      expect(image?.['tag'] !== undefined || image?.['digest'] !== undefined).toBe(true);
      expect(image?.['tag']).not.toBe('latest');
    }
  });

  it('appends only flags main.ts accepts to the ENTRYPOINT of the image built from infra/docker/<service>.Dockerfile, and never sets command', () => {
    const problems: string[] = [];
    for (const { service, container } of pods()) {
      const image = parseDockerfile(readFileSync(join(REPO_ROOT, `infra/docker/${service}.Dockerfile`), 'utf8'));
      problems.push(...argvProblems(image, container, ACCEPTED_FLAGS).map((p) => `${service}: ${p}`));
    }
    expect(problems).toEqual([]);
  });

  it('gives each service a config its own loader accepts: the --config file is the mounted ConfigMap, env from the ConfigMaps and the documented Secrets', () => {
    for (const { service, container } of pods()) {
      const args = container.args ?? [];
      const fileArg = args[args.indexOf('--config') + 1]!;
      const mount = mountOf(container, fileArg);
      const volume = pods().find((p) => p.container === container)!.pod.volumes?.find((v) => v.name === mount?.name);
      expect({ service, configMap: volume?.configMap !== undefined }).toEqual({ service, configMap: true });
      const configMap = providedObject(overlay, 'ConfigMap', volume!.configMap!.name);
      const key = mount!.subPath ?? posix.relative(mount!.mountPath, fileArg);
      const text = configMap?.data?.[key];
      expect({ service, file: fileArg, found: typeof text }).toEqual({ service, file: fileArg, found: 'string' });

      const result = readConfig({
        argv: args,
        env: containerEnv(overlay, container),
        readFile: (path) => {
          if (path !== fileArg) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
          return text!;
        },
        validateStrategy: validateStrategyConfig,
      });
      if (!result.ok) throw new Error(`${service}: ${result.errors.join('\n')}`);
      expect(result.config.configFile).toBe(fileArg);
      // The standalone services need Kafka; the projector and graphql-api also Postgres.
      expect({ service, kafka: result.config.events.kafka !== undefined }).toEqual({ service, kafka: true });
      if (service === 'projector' || service === 'graphql-api') expect({ service, database: result.config.database.url !== undefined }).toEqual({ service, database: true });
      if (service === 'siem-exporter') {
        const siem = parseSiemConfig(result.config.siem);
        if (!siem.ok) throw new Error(`siem-exporter: ${siem.errors.join('\n')}`);
        expect(siem.config.metrics).toEqual({ port: PORTS['siem-exporter']['metrics'], host: '0.0.0.0' });
      }
      expect({ service, dataDir: result.config.dataDir }).toEqual({ service, dataDir: '/var/lib/authtrail' });
      // Probes and Prometheus reach the pod IP: the listener of each named port binds every interface.
      const listener: Record<ServiceName, { host: unknown; port: unknown }> = {
        authn: { host: result.config.authn.http.host, port: result.config.authn.http.port },
        'graphql-api': { host: result.config.graphql.host, port: result.config.graphql.port },
        projector: { host: result.config.projector.metricsHost, port: result.config.projector.metricsPort },
        'siem-exporter': { host: (result.config.siem as { metrics?: { host?: unknown } } | undefined)?.metrics?.host, port: (result.config.siem as { metrics?: { port?: unknown } } | undefined)?.metrics?.port },
      };
      const probed = Object.values(PORTS[service])[0];
      expect({ service, listener: listener[service] }).toEqual({ service, listener: { host: '0.0.0.0', port: probed } });
    }
  });

  it('mounts every file a service opens at boot, from a ConfigMap or Secret that has that key', () => {
    const problems: string[] = [];
    for (const { service, pod, container } of pods()) {
      const args = container.args ?? [];
      const fileArg = args[args.indexOf('--config') + 1]!;
      const mount = mountOf(container, fileArg)!;
      const configMap = pod.volumes!.find((v) => v.name === mount.name)!.configMap!.name;
      const text = providedObject(overlay, 'ConfigMap', configMap)!.data![posix.relative(mount.mountPath, fileArg)]!;
      const result = readConfig({ argv: args, env: containerEnv(overlay, container), readFile: () => text, validateStrategy: validateStrategyConfig });
      if (!result.ok) throw new Error(result.errors.join('\n'));
      for (const { key, path } of filesOpened(service, result.config)) {
        const at = mountOf(container, path);
        const volume = pod.volumes?.find((v) => v.name === at?.name);
        const source = volume?.secret ? { kind: 'Secret' as const, name: volume.secret.secretName } : volume?.configMap ? { kind: 'ConfigMap' as const, name: volume.configMap.name } : undefined;
        if (!at || !source) {
          problems.push(`${service}: ${key} ${path} is not under a ConfigMap or Secret mount`);
          continue;
        }
        const file = at.subPath ?? posix.relative(at.mountPath, path);
        if (!(keysOf(overlay, source.kind, source.name) ?? []).includes(file)) problems.push(`${service}: ${key} ${path}: ${source.kind} ${source.name} has no key ${file} (rendered or in the doc)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('references only ConfigMaps and Secrets the kustomization renders or docs/kubernetes-deployment.md lists as operator-provided, with keys they have', () => {
    const problems: string[] = [];
    for (const deployment of deployments()) {
      for (const ref of references(deployment.spec.template.spec)) {
        const keys = keysOf(overlay, ref.kind, ref.name);
        if (!keys) problems.push(`${deployment.metadata.name} ${ref.where}: ${ref.kind} ${ref.name} is neither rendered nor operator-provided`);
        else if (ref.key !== undefined && !keys.includes(ref.key)) problems.push(`${deployment.metadata.name} ${ref.where}: ${ref.kind} ${ref.name} has no key ${ref.key}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('uses every Secret and ConfigMap the doc asks the operator for (the list is not stale)', () => {
    const used = new Set(deployments().flatMap((d) => references(d.spec.template.spec).map((r) => `${r.kind}/${r.name}`)));
    expect(operatorProvided.map((o) => `${o.kind}/${o.name}`).filter((o) => !used.has(o))).toEqual([]);
    // …and none of them is rendered too (which would overwrite the operator's).
    expect(operatorProvided.filter((o) => providedObject(overlay, o.kind, o.name)).map((o) => o.name)).toEqual([]);
  });

  it('probes (startup, readiness, liveness) point to named ports the container declares, with the contract\'s numbers', () => {
    for (const { service, container } of pods()) {
      const ports = Object.fromEntries((container.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
      expect({ service, ports }).toEqual({ service, ports: PORTS[service] });
      for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        const probe = container[kind];
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
        expect({ service, kind, port: typeof port === 'string' && port in ports ? 'named port' : port }).toEqual({ service, kind, port: 'named port' });
      }
      expect({ service, readiness: container.readinessProbe?.httpGet?.path, liveness: container.livenessProbe?.httpGet?.path }).toEqual({ service, readiness: '/readyz', liveness: '/healthz' });
    }
  });

  it('runs as UID 10001, non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp; only /tmp and /var/lib/authtrail writable (emptyDir)', () => {
    for (const { service, pod, container } of pods()) {
      // A container's own securityContext wins over the pod's, field by field.
      const effective = { ...pod.securityContext, ...container.securityContext };
      expect({
        service,
        runAsNonRoot: effective.runAsNonRoot,
        runAsUser: effective.runAsUser,
        readOnlyRootFilesystem: effective.readOnlyRootFilesystem,
        allowPrivilegeEscalation: effective.allowPrivilegeEscalation,
        drop: effective.capabilities?.drop,
        add: effective.capabilities?.add ?? [],
        seccomp: effective.seccompProfile?.type,
      }).toEqual({ service, runAsNonRoot: true, runAsUser: UID, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, drop: ['ALL'], add: [], seccomp: 'RuntimeDefault' });
      const writable = (container.volumeMounts ?? []).filter((m) => !m.readOnly).map((m) => ({ path: m.mountPath, emptyDir: pod.volumes?.find((v) => v.name === m.name)?.emptyDir !== undefined }));
      expect({ service, writable: writable.sort((a, b) => a.path.localeCompare(b.path)) }).toEqual({ service, writable: WRITABLE.map((path) => ({ path, emptyDir: true })) });
      // No API token in the pod (no service calls the API) and no service-link variables beside authtrail's env keys.
      expect({ service, automount: pod.automountServiceAccountToken, serviceLinks: pod.enableServiceLinks }).toEqual({ service, automount: false, serviceLinks: false });
    }
  });

  it('requests CPU and memory and limits memory for every container', () => {
    for (const { service, container } of pods()) {
      expect({ service, cpu: !!container.resources?.requests?.['cpu'], memory: !!container.resources?.requests?.['memory'], limit: !!container.resources?.limits?.['memory'] }).toEqual({ service, cpu: true, memory: true, limit: true });
    }
  });

  it('Services, PodDisruptionBudgets and NetworkPolicies select exactly their own Deployment\'s pods, by ports the pods declare', () => {
    const podLabels = deployments().map((d) => ({ name: d.metadata.name, labels: d.spec.template.metadata.labels, ports: d.spec.template.spec.containers.flatMap((c) => c.ports ?? []) }));
    for (const service of typed<Service>(overlay, 'Service')) {
      const selected = podLabels.filter((p) => matches({ matchLabels: service.spec.selector ?? {} }, p.labels));
      expect({ service: service.metadata.name, selects: selected.map((p) => p.name) }).toEqual({ service: service.metadata.name, selects: [service.metadata.name] });
      for (const port of service.spec.ports) expect({ port: port.name, target: selected[0]!.ports.some((p) => p.name === port.targetPort) }).toEqual({ port: port.name, target: true });
    }
    for (const kind of ['PodDisruptionBudget', 'NetworkPolicy']) {
      for (const object of typed<Selecting>(overlay, kind).filter((o) => o.metadata.name !== 'authtrail-default-deny-ingress')) {
        const selected = podLabels.filter((p) => matches(object.spec.selector ?? object.spec.podSelector, p.labels)).map((p) => p.name);
        expect({ kind, name: object.metadata.name, selects: selected }).toEqual({ kind, name: object.metadata.name, selects: [object.metadata.name] });
      }
    }
    // The namespace-wide default deny covers every authtrail pod.
    const deny = typed<Selecting>(overlay, 'NetworkPolicy').find((o) => o.metadata.name === 'authtrail-default-deny-ingress')!;
    expect(podLabels.filter((p) => !matches(deny.spec.podSelector, p.labels)).map((p) => p.name)).toEqual([]);
  });

  it('ships the webhook kubeconfig Secret for kube-apiserver: the file of infra/k8s, pointing at the authn Service\'s https port', () => {
    const secret = providedObject(overlay, 'Secret', 'authtrail-webhook-kubeconfig')!;
    const shipped = readFileSync(join(K8S, 'authn-webhook.kubeconfig.yaml'), 'utf8');
    const text = Buffer.from(secret.data!['authtrail-webhook.kubeconfig']!, 'base64').toString('utf8');
    expect(text).toBe(shipped);
    const config = parseYaml(text) as { clusters: { cluster: { server: string } }[] };
    const server = new URL(config.clusters[0]!.cluster.server);
    const [serviceName, namespace] = server.hostname.split('.');
    const service = typed<Service>(overlay, 'Service').find((s) => s.metadata.name === serviceName && s.metadata.namespace === namespace);
    expect(service?.spec.ports.find((p) => p.port === Number(server.port))?.targetPort).toBe('https');
  });
});

describe('overlay differences', () => {
  it('production scrapes each service with a ServiceMonitor on a named port of its Service; minimal has none (no Prometheus Operator CRDs needed)', () => {
    const services = typed<Service>('production', 'Service');
    const monitors = typed<ServiceMonitor>('production', 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(SERVICES.map((s) => `authtrail-${s}`).sort());
    for (const monitor of monitors) {
      const selected = services.filter((s) => matches(monitor.spec.selector, s.metadata.labels));
      expect(selected.map((s) => s.metadata.name)).toEqual([monitor.metadata.name]);
      for (const endpoint of monitor.spec.endpoints) {
        expect({ monitor: monitor.metadata.name, port: selected[0]!.spec.ports.some((p) => p.name === endpoint.port), path: endpoint.path }).toEqual({ monitor: monitor.metadata.name, port: true, path: '/metrics' });
      }
    }
    expect(typed('minimal', 'ServiceMonitor')).toEqual([]);
  });

  it('production runs authn with more than one replica and enforces the restricted Pod Security Standard on its namespace', () => {
    const authn = typed<Deployment>('production', 'Deployment').find((d) => d.metadata.name === 'authtrail-authn')!;
    expect(authn.spec.replicas).toBeGreaterThan(1);
    const namespace = typed('production', 'Namespace')[0];
    expect(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('production\'s authn pods are one address and independent producers: one Service selects them all, each names its events after its pod and keeps its spool and ledger in its own emptyDir (docs/scale-out.md)', () => {
    const authn = typed<Deployment>('production', 'Deployment').find((d) => d.metadata.name === 'authtrail-authn')!;
    expect(authn.spec.replicas).toBeGreaterThanOrEqual(2);
    const pod = authn.spec.template;
    expect(typed<Service>('production', 'Service').filter((s) => matches({ matchLabels: s.spec.selector }, pod.metadata.labels)).map((s) => s.metadata.name)).toEqual(['authtrail-authn']);
    const container = pod.spec.containers.find((c) => c.name === 'authn')!;
    expect(container.env?.find((e) => e.name === 'AUTHTRAIL_INSTANCE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    const data = container.volumeMounts?.find((m) => m.mountPath === '/var/lib/authtrail');
    expect(pod.spec.volumes?.find((v) => v.name === data?.name)?.emptyDir).toBeDefined();
  });
});

describe('strict decoding and validation refuse what Kubernetes would drop or reject (testdata/)', () => {
  const fixture = (name: string) => join(MODULE_DIR, 'testdata', name);
  const errorsOf = async (name: string) => {
    const run = await render(binary, [fixture(name)]);
    expect(run.exitCode).toBe(1);
    return run.results[0]!.objects.flatMap((o) => o.errors.map((e) => `${o.kind}/${o.name}: ${e}`));
  };

  it('a misspelt securityContext field (runAsNonroot) is an unknown field, not a silently dropped guard', async () => {
    expect(await errorsOf('unknown-field')).toEqual([expect.stringMatching(/^Deployment\/typo: strict decoding: unknown field "spec\.template\.spec\.containers\[0\]\.securityContext\.runAsNonroot"/)]);
  });

  it('a ServiceMonitor endpoint with metricsPath (not a field of prometheus-operator\'s Endpoint) is refused', async () => {
    expect(await errorsOf('service-monitor-unknown-field')).toEqual([expect.stringMatching(/^ServiceMonitor\/typo: strict decoding: unknown field "spec\.endpoints\[0\]\.metricsPath"/)]);
  });

  it('a port name longer than 15 characters and a selector that misses the pod template fail apimachinery validation', async () => {
    const errors = await errorsOf('invalid-names');
    expect(errors).toEqual(expect.arrayContaining([expect.stringContaining('spec.template.spec.containers[0].ports[0].name: Invalid value: "metrics-endpoint"'), expect.stringContaining('does not match spec.selector')]));
  });

  it('a kind outside the API groups the manifests may use is refused by name', async () => {
    expect(await errorsOf('unknown-kind')).toEqual([expect.stringMatching(/^Ingres\/web: kind networking\.k8s\.io\/v1, Kind=Ingres is not one infra\/k8s may use/)]);
  });
});
