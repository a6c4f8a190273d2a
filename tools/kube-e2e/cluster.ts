// etcd (Debian's etcd-server) and kube-apiserver on loopback, authtrail as the token webhook with
// kube-apiserver's default webhook version, and a kubectl runner.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './authtrail';
import { startProcess, waitUntil, type Started } from './processes';

/** The webhook kubeconfig shipped for operators; the run uses it with only paths and address changed. */
export const WEBHOOK_KUBECONFIG_TEMPLATE = path.join(REPO_ROOT, 'infra', 'k8s', 'authn-webhook.kubeconfig.yaml');

/** `etcd` on PATH, or Debian's etcd-server installed with apt-get (the machine runs as root). */
export function ensureEtcd(progress: (line: string) => void): string {
  const found = () => spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' }).stdout.trim();
  let etcd = found();
  if (etcd) return etcd;
  progress("etcd not found: installing Debian's etcd-server (apt-get install -y etcd-server)");
  const apt = (args: string[]) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!apt(['install', '-y', '--no-install-recommends', 'etcd-server'])) {
    if (!apt(['update']) || !apt(['install', '-y', '--no-install-recommends', 'etcd-server'])) throw new Error('apt-get install etcd-server failed (root and Debian package access are needed)');
  }
  etcd = found();
  if (!etcd) throw new Error('etcd-server installed but no etcd on PATH');
  return etcd;
}

export function versionOf(command: string, args: readonly string[]): string {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`.trim();
}

export async function startEtcd(etcd: string, workDir: string, ports: { client: number; peer: number }): Promise<Started> {
  const client = `http://127.0.0.1:${ports.client}`;
  const peer = `http://127.0.0.1:${ports.peer}`;
  const started = startProcess(
    'etcd',
    etcd,
    ['--name', 'e2e', '--data-dir', path.join(workDir, 'etcd-data'), '--listen-client-urls', client, '--advertise-client-urls', client, '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `e2e=${peer}`, '--logger', 'zap'],
    { logFile: path.join(workDir, 'etcd.log') },
  );
  await waitUntil(started, 'healthy /health', async () => ((await (await fetch(`${client}/health`)).json()) as { health?: string }).health === 'true', 60_000);
  return started;
}

/**
 * The shipped webhook kubeconfig with the authtrail address and the files of this run put in. The
 * path of `server` (which TokenReview path kube-apiserver posts to) is kept as shipped.
 */
export function writeWebhookKubeconfig(workDir: string, authtrailHttpsPort: number, files: { ca: string; clientCert: string; clientKey: string }): { file: string; server: string } {
  let text = readFileSync(WEBHOOK_KUBECONFIG_TEMPLATE, 'utf8');
  const replace = (key: string, pattern: RegExp, value: string) => {
    const matches = text.match(new RegExp(pattern.source, 'gm'));
    if (matches?.length !== 1) throw new Error(`${WEBHOOK_KUBECONFIG_TEMPLATE}: expected one "${key}:" line, found ${matches?.length ?? 0}`);
    text = text.replace(new RegExp(pattern.source, 'm'), value);
  };
  replace('server', /^(\s*server:\s*)https:\/\/[^/\s]+/, `$1https://127.0.0.1:${authtrailHttpsPort}`);
  replace('certificate-authority', /^(\s*certificate-authority:\s*)\S+/, `$1${files.ca}`);
  replace('client-certificate', /^(\s*client-certificate:\s*)\S+/, `$1${files.clientCert}`);
  replace('client-key', /^(\s*client-key:\s*)\S+/, `$1${files.clientKey}`);
  const file = path.join(workDir, 'authtrail-webhook.kubeconfig');
  writeFileSync(file, text);
  const server = /^\s*server:\s*(\S+)/m.exec(text)?.[1] ?? '?';
  return { file, server };
}

export interface KubeApiserverFiles {
  readonly workDir: string;
  readonly port: number;
  readonly etcdUrl: string;
  readonly serving: { readonly certFile: string; readonly keyFile: string };
  readonly clientCaFile: string;
  readonly serviceAccount: { readonly privateKeyFile: string; readonly publicKeyFile: string; readonly issuer: string };
  readonly webhookKubeconfig: string;
  /** `--authentication-token-webhook-version`; undefined: not passed (kube's default, v1beta1). */
  readonly webhookVersion?: 'v1' | 'v1beta1';
}

/**
 * The flags of the run, in the order the doc shows them. Only `--authentication-token-webhook-config-file`
 * concerns authtrail: `--authentication-token-webhook-version` (default v1beta1, unless the run asks for
 * another) and `--authentication-token-webhook-cache-ttl` (default 2m) keep kube's defaults.
 */
export function kubeApiserverArgs(files: KubeApiserverFiles): string[] {
  return [
    `--etcd-servers=${files.etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${files.port}`,
    '--advertise-address=127.0.0.1',
    // The "kubernetes" Endpoints would hold the loopback address, which Endpoints validation refuses.
    '--endpoint-reconciler-type=none',
    '--service-cluster-ip-range=10.0.0.0/24',
    `--cert-dir=${path.join(files.workDir, 'kube-apiserver-certs')}`,
    `--tls-cert-file=${files.serving.certFile}`,
    `--tls-private-key-file=${files.serving.keyFile}`,
    `--client-ca-file=${files.clientCaFile}`,
    `--service-account-issuer=${files.serviceAccount.issuer}`,
    `--service-account-key-file=${files.serviceAccount.publicKeyFile}`,
    `--service-account-signing-key-file=${files.serviceAccount.privateKeyFile}`,
    '--authorization-mode=RBAC',
    `--authentication-token-webhook-config-file=${files.webhookKubeconfig}`,
    ...(files.webhookVersion ? [`--authentication-token-webhook-version=${files.webhookVersion}`] : []),
    // Logs every flag's value at start ("FLAG: --authentication-token-webhook-version=…").
    '--v=1',
  ];
}

export async function startKubeApiserver(binary: string, files: KubeApiserverFiles, adminKubectl: Kubectl): Promise<Started> {
  const started = startProcess('kube-apiserver', binary, kubeApiserverArgs(files), { logFile: path.join(files.workDir, 'kube-apiserver.log') });
  await waitUntil(started, 'ready /readyz', async () => (await adminKubectl.run(['get', '--raw', '/readyz'])).stdout.trim() === 'ok', 300_000);
  return started;
}

export interface KubectlResult {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Writes a kubeconfig (JSON, mode 0600: it may hold a token) so no credential is on a command line. */
export function writeKubeconfig(file: string, server: string, caFile: string, user: Record<string, string>): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: 'e2e', user }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'e2e' } }],
    'current-context': 'e2e',
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** kubectl with one kubeconfig; HOME is the run's folder so no cache or config of the user is read. */
export class Kubectl {
  constructor(
    private readonly binary: string,
    private readonly kubeconfig: string,
    private readonly home: string,
  ) {
    mkdirSync(home, { recursive: true });
  }

  run(args: readonly string[], stdin?: string): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = spawn(this.binary, ['--kubeconfig', this.kubeconfig, '--request-timeout=30s', ...args], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: this.home }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (error) => resolve({ command: `kubectl ${args.join(' ')}`, code: -1, stdout, stderr: `${stderr}${error.message}` }));
      child.on('close', (code) => resolve({ command: `kubectl ${args.join(' ')}`, code: code ?? -1, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });
  }
}

/** Lines of the kube-apiserver log matching `pattern`. */
export function countLogLines(logFile: string, pattern: RegExp): number {
  if (!existsSync(logFile)) return 0;
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => pattern.test(line)).length;
}
