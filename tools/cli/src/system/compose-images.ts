// The production images (infra/docker/*.Dockerfile), without Docker: the Dockerfiles are parsed,
// and an image's /app is assembled on this machine the way its stages build it — the bundles
// from tools/build.mjs, the runtime packages installed with the Dockerfile's own `npm ci` line
// from the generated package.json and lock, then the final stage's COPY lines.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const workspaceRoot = path.resolve(__dirname, '../../../..');

export interface DockerInstruction {
  readonly keyword: string;
  /** The arguments as written (continuations joined). */
  readonly args: string;
}

export interface DockerStage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: readonly DockerInstruction[];
}

/** Stages of a Dockerfile: comments dropped, `\` continuations joined, keywords upper-cased. */
export function parseDockerfile(text: string): DockerStage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (pending === '' && /^\s*#/.test(line)) continue;
    if (line.trim() === '' && pending === '') continue;
    if (/\\\s*$/.test(line)) {
      pending += `${line.replace(/\\\s*$/, '').trim()} `;
      continue;
    }
    logical.push(`${pending}${line.trim()}`.trim());
    pending = '';
  }
  const stages: { from: string; name?: string; instructions: DockerInstruction[] }[] = [];
  for (const instruction of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(instruction);
    if (!match) continue;
    const keyword = (match[1] ?? '').toUpperCase();
    const args = match[2] ?? '';
    if (keyword === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({ from, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) throw new Error(`${keyword} before FROM`);
      stage.instructions.push({ keyword, args });
    }
  }
  return stages;
}

/** The exec form `["a", "b"]` of ENTRYPOINT / CMD / RUN; undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
}

export interface ImageDefinition {
  readonly dockerfile: string;
  readonly stages: readonly DockerStage[];
  readonly runtime: DockerStage;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly user?: string;
  readonly workdir?: string;
  readonly env: Readonly<Record<string, string>>;
}

export function readImage(dockerfile: string): ImageDefinition {
  const stages = parseDockerfile(readFileSync(path.join(workspaceRoot, dockerfile), 'utf8'));
  const runtime = stages[stages.length - 1];
  if (!runtime) throw new Error(`${dockerfile}: no FROM`);
  const last = (keyword: string) => [...runtime.instructions].reverse().find((i) => i.keyword === keyword)?.args;
  const env: Record<string, string> = {};
  for (const i of runtime.instructions.filter((x) => x.keyword === 'ENV')) {
    for (const [, key, value] of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) env[key ?? ''] = (value ?? '').replace(/^"|"$/g, '');
  }
  const user = last('USER');
  const workdir = last('WORKDIR');
  return {
    dockerfile,
    stages,
    runtime,
    entrypoint: execForm(last('ENTRYPOINT') ?? '') ?? [],
    cmd: execForm(last('CMD') ?? '[]') ?? [],
    ...(user ? { user } : {}),
    ...(workdir ? { workdir } : {}),
    env,
  };
}

/** `npm run build` without its typecheck (the test run has its own): bundles, manifests and locks under `outDir`. */
export async function buildBundles(outDir: string): Promise<void> {
  await run(process.execPath, [path.join(workspaceRoot, 'tools/build.mjs'), '--out', outDir], { cwd: workspaceRoot, maxBuffer: 16 * 1024 * 1024 });
}

/** `COPY [--from=stage] [--chown=…] src… dest` → sources, destination, stage. */
function parseCopy(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/).filter((w) => w.length > 0);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  const dest = paths.pop() ?? '';
  return { ...(from ? { from } : {}), sources: paths, dest };
}

/**
 * Assembles the image's WORKDIR (/app) in `appDir`: the runtime-deps stage's package files and
 * its `npm ci` (with --prefer-offline: the npm cache that the workspace's own install filled),
 * then the final stage's files from the build stage. `builtDist` stands for the build stage's
 * /src/dist.
 */
export async function assembleImage(image: ImageDefinition, builtDist: string, appDir: string): Promise<void> {
  const build = image.stages[0];
  const deps = image.stages.find((s) => s.name === 'runtime-deps');
  if (!build || !deps) throw new Error(`${image.dockerfile}: expected a build and a runtime-deps stage`);
  const buildWorkdir = build.instructions.find((i) => i.keyword === 'WORKDIR')?.args ?? '/';
  const fromBuild = (source: string) => {
    const relative = path.posix.relative(path.posix.join(buildWorkdir, 'dist'), source);
    if (relative.startsWith('..')) throw new Error(`${image.dockerfile}: copies ${source}, which is not build output`);
    return path.join(builtDist, relative);
  };
  const workdir = image.workdir ?? '/';
  const place = (sources: readonly string[], written: string) => {
    // Relative to WORKDIR (/app), which appDir stands for.
    const dest = path.posix.isAbsolute(written) ? path.posix.relative(workdir, written) || '.' : written;
    if (dest.startsWith('..')) throw new Error(`${image.dockerfile}: copies to ${written}, outside ${workdir}`);
    for (const source of sources) {
      // `COPY dir/ dest`: the folder's contents; `COPY a b dest/`: the files into it.
      if (source.endsWith('/')) cpSync(fromBuild(source), path.join(appDir, dest), { recursive: true });
      else {
        const target = written.endsWith('/') || sources.length > 1 ? path.join(appDir, dest, path.posix.basename(source)) : path.join(appDir, dest);
        mkdirSync(path.dirname(target), { recursive: true });
        copyFileSync(fromBuild(source), target);
      }
    }
  };
  mkdirSync(appDir, { recursive: true });
  for (const instruction of deps.instructions) {
    if (instruction.keyword === 'COPY') {
      const copy = parseCopy(instruction.args);
      if (copy.from === build.name) place(copy.sources, copy.dest);
    } else if (instruction.keyword === 'RUN') {
      const [tool, ...args] = instruction.args.split(/\s+/);
      if (tool !== 'npm' || args[0] !== 'ci') throw new Error(`${image.dockerfile}: runtime-deps runs "${instruction.args}"; only npm ci is emulated`);
      await run('npm', [...args, '--prefer-offline'], { cwd: appDir, maxBuffer: 16 * 1024 * 1024 });
    }
  }
  for (const instruction of image.runtime.instructions.filter((i) => i.keyword === 'COPY')) {
    const copy = parseCopy(instruction.args);
    // node_modules from runtime-deps are already in place: the same folder.
    if (copy.from === build.name) place(copy.sources, copy.dest);
  }
}

/** The ENTRYPOINT and CMD (or compose's `command`) as a command line, /app mapped to `appDir`. */
export function commandLine(image: ImageDefinition, command: readonly string[] | undefined, appDir: string): string[] {
  const workdir = image.workdir ?? '/';
  return [...image.entrypoint, ...(command ?? image.cmd)].map((arg) => (arg.startsWith(`${workdir}/`) ? path.join(appDir, arg.slice(workdir.length + 1)) : arg));
}
