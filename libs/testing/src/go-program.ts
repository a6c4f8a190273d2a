// Builds a Go program of this repository (tools/kube-client, tools/k8s-manifests) for the specs
// that drive it, and caches the binary under node_modules/.cache/authtrail-<name>/<hash>, the hash
// covering go.mod, go.sum, the Go sources, the toolchain and the platform: a second run skips the
// build. Modules come from the proxy (GOPROXY as the environment says, else Go's default), pinned
// by go.sum; the local toolchain only, no cgo, no VCS stamping. The build runs under `nice -n 15`
// so it does not starve the tests around it.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');

/** `go` on PATH, else the usual install location. */
export function findGo(): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'go'))) return join(dir, 'go');
  }
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('the Go toolchain (`go`) is not on PATH: the tests build Kubernetes\' own code with it');
}

/** Module and build caches are Go's defaults; without a HOME they go under `cacheDir`. */
function goEnv(cacheDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
  if (!env['HOME'] && !env['GOCACHE']) env['GOCACHE'] = join(cacheDir, 'go-build');
  if (!env['HOME'] && !env['GOPATH'] && !env['GOMODCACHE']) env['GOMODCACHE'] = join(cacheDir, 'go-mod');
  return env;
}

function sourceHash(go: string, moduleDir: string, env: NodeJS.ProcessEnv): string {
  const hash = createHash('sha256');
  hash.update(execFileSync(go, ['env', 'GOVERSION', 'GOOS', 'GOARCH'], { env, encoding: 'utf8' }));
  const files = readdirSync(moduleDir).filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go')).sort();
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(moduleDir, file))).update('\0');
  return hash.digest('hex').slice(0, 20);
}

/** `nice -n 15 go …` where nice exists, else go alone. */
function niced(go: string, args: readonly string[]): [string, string[]] {
  return existsSync('/usr/bin/nice') ? ['/usr/bin/nice', ['-n', '15', go, ...args]] : [go, [...args]];
}

/** The path of the built binary `name` of the Go module in `moduleDir`; builds it when the cache has none for the current sources. */
export async function buildGoProgram(moduleDir: string, name: string): Promise<string> {
  const progress = (line: string) => process.stderr.write(`[${name}] ${line}\n`);
  const cacheDir = join(REPO_ROOT, 'node_modules/.cache', `authtrail-${name}`);
  const go = findGo();
  const env = goEnv(cacheDir);
  const dir = join(cacheDir, sourceHash(go, moduleDir, env));
  const binary = join(dir, name);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `${name}.${randomBytes(4).toString('hex')}.partial`);
  progress(`building with ${go} (cold module and build caches: minutes on two cores) ...`);
  const started = Date.now();
  const ticker = setInterval(() => progress(`still building (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
  try {
    await new Promise<void>((resolveBuild, reject) => {
      const [file, args] = niced(go, ['build', '-trimpath', '-o', partial, '.']);
      const child = spawn(file, args, { cwd: moduleDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let tail = '';
      const onOutput = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        tail = (tail + text).slice(-4000);
        for (const line of text.split('\n')) if (line.trim()) progress(line);
      };
      child.stdout.on('data', onOutput);
      child.stderr.on('data', onOutput);
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolveBuild() : reject(new Error(`go build exited ${code}:\n${tail}`))));
    });
    renameSync(partial, binary);
    // Binaries of older sources are not needed any more (tens of MB each).
    for (const entry of readdirSync(cacheDir)) {
      if (/^[0-9a-f]{20}$/.test(entry) && join(cacheDir, entry) !== dir) rmSync(join(cacheDir, entry), { recursive: true, force: true });
    }
  } finally {
    clearInterval(ticker);
    rmSync(partial, { force: true });
  }
  progress(`built ${binary} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}
