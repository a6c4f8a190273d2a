// kube-apiserver and kubectl of one pinned release, built from the Go module proxy through the wrapper
// module in ./kube-build (its go.mod says why a wrapper is needed) and cached, since the build takes
// about a quarter of an hour on two cores.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export const KUBERNETES_VERSION = 'v1.37.2';
const GIT_MAJOR = '1';
const GIT_MINOR = '37';
const MODULE_DIR = path.join(__dirname, 'kube-build');
const PACKAGES = { 'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver', kubectl: 'k8s.io/kubernetes/cmd/kubectl' } as const;

export interface KubeBinaries {
  readonly kubeApiserver: string;
  readonly kubectl: string;
  readonly cacheDir: string;
  /** False when they came from the cache. */
  readonly built: boolean;
  /** `go version` of the toolchain that built them. */
  readonly goVersion: string;
}

/** `$AUTHTRAIL_KUBE_CACHE`, else `~/.cache/authtrail/kube-<version>`. */
export function kubeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['AUTHTRAIL_KUBE_CACHE'] || path.join(homedir(), '.cache', 'authtrail', `kube-${KUBERNETES_VERSION}`);
}

/** The Go toolchain: `go` on PATH, else the standard install location. */
export function goBinary(): string {
  const onPath = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (onPath.status === 0) return 'go';
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('the Go toolchain (go 1.26 or newer) is needed to build kube-apiserver and kubectl: neither `go` on PATH nor /usr/local/go/bin/go');
}

/**
 * What the cached binaries were built from: the wrapper's go.mod and go.sum (which pin every module)
 * and the link flags. A change to either rebuilds.
 */
function buildStamp(ldflags: string): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(path.join(MODULE_DIR, file)));
  hash.update(ldflags.replace(/buildDate=\S+/g, ''));
  return `${KUBERNETES_VERSION} ${hash.digest('hex')}\n`;
}

/** The version variables `hack/lib/version.sh` sets, so `--version` reports the release, not v0.0.0-master. */
function linkerFlags(buildDate: string): string {
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(`-X ${pkg}.gitVersion=${KUBERNETES_VERSION}`, `-X ${pkg}.gitMajor=${GIT_MAJOR}`, `-X ${pkg}.gitMinor=${GIT_MINOR}`, `-X ${pkg}.gitTreeState=clean`, `-X ${pkg}.buildDate=${buildDate}`);
  }
  return flags.join(' ');
}

/**
 * Returns the cached binaries, or builds them (`nice -n 15 go build`, the output compiled into a
 * temporary folder and moved into place only when the whole build succeeded).
 */
export async function ensureKubeBinaries(progress: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<KubeBinaries> {
  const cacheDir = kubeCacheDir(env);
  const kubeApiserver = path.join(cacheDir, 'kube-apiserver');
  const kubectl = path.join(cacheDir, 'kubectl');
  const stampFile = path.join(cacheDir, 'build-stamp');
  const goVersionFile = path.join(cacheDir, 'go-version');
  const ldflags = linkerFlags(new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  const stamp = buildStamp(ldflags);
  if (existsSync(kubeApiserver) && existsSync(kubectl) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    progress(`kube-apiserver and kubectl ${KUBERNETES_VERSION} from the cache ${cacheDir}`);
    const goVersion = existsSync(goVersionFile) ? readFileSync(goVersionFile, 'utf8').trim() : 'unknown';
    return { kubeApiserver, kubectl, cacheDir, built: false, goVersion };
  }

  const go = goBinary();
  const staging = path.join(cacheDir, '.building');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  progress(`building kube-apiserver and kubectl ${KUBERNETES_VERSION} from the Go module proxy into ${cacheDir} (nice -n 15; 15–25 min on two cores, once)`);
  const started = Date.now();
  const args = ['-n', '15', go, 'build', '-v', '-trimpath', '-ldflags', ldflags, '-o', `${staging}/`, ...Object.values(PACKAGES)];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('nice', args, { cwd: MODULE_DIR, env: { ...env, CGO_ENABLED: '0' }, stdio: ['ignore', 'inherit', 'pipe'] });
    let compiled = 0;
    let tail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // -v names each package as it is compiled; anything else (download lines, errors) is kept for the report.
      for (const line of chunk.split('\n')) {
        if (/^[\w.-]+(\/[\w.~+-]+)*$/.test(line.trim()) && line.trim() !== '') compiled += 1;
        else if (line.trim() !== '') tail = `${tail}${line}\n`.slice(-8000);
      }
    });
    const heartbeat = setInterval(() => progress(`  … ${Math.round((Date.now() - started) / 60_000)} min, ${compiled} packages compiled`), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(heartbeat);
      if (code === 0) resolve();
      else reject(new Error(`go build exited with ${code}:\n${tail}`));
    });
  });
  for (const name of Object.keys(PACKAGES)) renameSync(path.join(staging, name), path.join(cacheDir, name));
  rmSync(staging, { recursive: true, force: true });
  const goVersion = spawnSync(go, ['version'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(goVersionFile, `${goVersion}\n`);
  writeFileSync(stampFile, stamp);
  progress(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  return { kubeApiserver, kubectl, cacheDir, built: true, goVersion };
}
