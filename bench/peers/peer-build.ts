// The Go peers of bench/peers, built from source checkouts the user names by environment variable
// (the Go module proxy refuses both modules, so `go install …@version` is no way here). A built
// binary is cached outside the repository, under $XDG_CACHE_HOME (else ~/.cache)/authtrail-peers/,
// keyed by the checkout's commit (or, for a tree without git, a hash of its files) and the Go
// version: a second run does not rebuild.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { findGo } from '@authtrail/testing';

export interface PeerProgram {
  readonly id: 'guard' | 'oathkeeper';
  readonly title: string;
  /** The variable naming the source checkout. */
  readonly envVar: string;
  readonly repository: string;
  /** The file at the checkout's root that tells it is the right repository. */
  readonly marker: { readonly file: string; readonly contains: string };
  /** `go build` flags before `-o`. */
  readonly buildFlags: readonly string[];
}

export const GUARD: PeerProgram = {
  id: 'guard',
  title: 'Guard',
  envVar: 'GUARD_SRC',
  repository: 'https://github.com/kubeguard/guard',
  marker: { file: 'go.mod', contains: 'module go.kubeguard.dev/guard' },
  // Guard vendors its dependencies.
  buildFlags: ['-mod=vendor'],
};

export const OATHKEEPER: PeerProgram = {
  id: 'oathkeeper',
  title: 'Ory Oathkeeper',
  envVar: 'OATHKEEPER_SRC',
  repository: 'https://github.com/ory/oathkeeper',
  marker: { file: 'go.mod', contains: 'module github.com/ory/oathkeeper' },
  buildFlags: [],
};

export const PEER_PROGRAMS: readonly PeerProgram[] = [GUARD, OATHKEEPER];

/**
 * The source checkout of each program, or the one line that says what to set: a variable that is
 * missing, or one that names a directory which is not that program's checkout.
 */
export function peerSources(env: NodeJS.ProcessEnv, programs: readonly PeerProgram[] = PEER_PROGRAMS): { readonly dirs: ReadonlyMap<PeerProgram['id'], string> } | { readonly problem: string } {
  const dirs = new Map<PeerProgram['id'], string>();
  const problems: string[] = [];
  for (const program of programs) {
    const dir = env[program.envVar];
    if (!dir) {
      problems.push(`${program.envVar} is not set (a checkout of ${program.repository})`);
      continue;
    }
    const markerFile = join(dir, program.marker.file);
    if (!existsSync(markerFile) || !readFileSync(markerFile, 'utf8').includes(program.marker.contains)) {
      problems.push(`${program.envVar}=${dir} is not a checkout of ${program.repository} (no "${program.marker.contains}" in ${program.marker.file})`);
      continue;
    }
    dirs.set(program.id, dir);
  }
  return problems.length > 0 ? { problem: `bench/peers needs the peers' sources: ${problems.join('; ')}` } : { dirs };
}

/** Where built peers are kept: outside the repository, per user. */
export function peerCacheRoot(env: NodeJS.ProcessEnv): string {
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'authtrail-peers');
}

/** The commit of a clean git checkout rooted at `dir`; otherwise a hash of every file under it. */
export function sourceKey(dir: string): string {
  const commit = cleanCommit(dir);
  if (commit) return commit.slice(0, 12);
  const hash = createHash('sha256');
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === '.git') continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(`${relative(dir, path)}\0`).update(readFileSync(path)).update('\0');
    }
  };
  walk(dir);
  return `tree-${hash.digest('hex').slice(0, 12)}`;
}

/** The commit of `dir` when it is the top of a git work tree with nothing modified; undefined otherwise. */
function cleanCommit(dir: string): string | undefined {
  try {
    const git = (args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (realpathSync(git(['rev-parse', '--show-toplevel'])) !== realpathSync(dir)) return undefined;
    if (git(['status', '--porcelain', '--untracked-files=no']) !== '') return undefined;
    return git(['rev-parse', 'HEAD']);
  } catch {
    return undefined;
  }
}

export interface BuiltPeer {
  readonly binary: string;
  /** Commit (or tree hash) of the sources it was built from. */
  readonly sourceKey: string;
  readonly built: boolean;
}

/** The binary of `program` built from `srcDir`, from the cache when it holds one for these sources and this Go. */
export async function buildPeer(program: PeerProgram, srcDir: string, env: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<BuiltPeer> {
  const go = findGo();
  const buildEnv: NodeJS.ProcessEnv = { ...env, GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' };
  const goVersion = execFileSync(go, ['env', 'GOVERSION'], { env: buildEnv, encoding: 'utf8' }).trim();
  const key = sourceKey(srcDir);
  const dir = join(peerCacheRoot(env), `${program.id}-${key}-${goVersion}`);
  const binary = join(dir, program.id);
  if (existsSync(binary) && statSync(binary).size > 0) return { binary, sourceKey: key, built: false };
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `${program.id}.${randomBytes(4).toString('hex')}.partial`);
  progress(`building ${program.title} (${key}) with ${goVersion} under nice -n 15: minutes on a cold build cache …`);
  const started = Date.now();
  const ticker = setInterval(() => progress(`still building ${program.title} (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
  try {
    await new Promise<void>((done, fail) => {
      const args = ['-n', '15', go, 'build', ...program.buildFlags, '-trimpath', '-o', partial, '.'];
      const child = spawn('nice', args, { cwd: srcDir, env: buildEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let tail = '';
      const keep = (chunk: Buffer) => (tail = (tail + chunk.toString('utf8')).slice(-4000));
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', fail);
      child.on('close', (code) => (code === 0 ? done() : fail(new Error(`go build of ${program.title} in ${srcDir} exited ${code}:\n${tail}`))));
    });
    renameSync(partial, binary);
  } finally {
    clearInterval(ticker);
    rmSync(partial, { force: true });
  }
  progress(`built ${program.title} in ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  return { binary, sourceKey: key, built: true };
}
