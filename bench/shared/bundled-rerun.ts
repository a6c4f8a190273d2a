// A bench whose servers live in its own process (bench authn) runs them the way the production
// image runs authn when BENCH_AUTHN_RUNTIME=bundle: the bench entry itself is bundled with
// esbuild under tools/build.mjs's settings (CommonJS, node24, the packages external, jose and
// cel-js bundled in) and run again on plain node. Compiled like that, authn, the ceiling and the
// floors lose alike what tsx adds per function created at run time (docs/authn.md, "tsx or the
// bundle"). `__dirname` and `__filename` keep naming each source file, as on tsx.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { AuthnRuntime } from './authn-runtime';

const REPO = resolve(__dirname, '..', '..');
const BUNDLED_MARK = 'AUTHTRAIL_BENCH_BUNDLED';
// As tools/build.mjs: ESM-only packages are bundled in, every other package stays external.
const BUNDLED_IN = new Set(['jose', '@marcbachmann/cel-js']);

/**
 * On `bundle`, bundles `entry`, runs the bundle with this process's arguments and exits with its
 * status; on `tsx`, or inside that bundle, returns at once.
 */
export async function rerunAsBundle(runtime: AuthnRuntime, entry: string, log: (line: string) => void): Promise<void> {
  if (runtime === 'tsx' || process.env[BUNDLED_MARK] === '1') return;
  const outfile = join(REPO, 'node_modules', '.cache', 'authtrail-bench-bundle', 'bench', `${entry.split(/[\\/]/).at(-2)}.cjs`);
  log(`bundling ${entry} with esbuild (tools/build.mjs's settings) into ${outfile} …`);
  await bundleBenchEntry(entry, outfile);
  const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, [BUNDLED_MARK]: '1' } });
  process.exit(run.status ?? 1);
}

/** Bundles `entry` (a file of this repository) into `outfile` as the production bundles are built. */
export async function bundleBenchEntry(entry: string, outfile: string): Promise<void> {
  const rootPackage = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: object; devDependencies: object };
  const external = [...Object.keys(rootPackage.dependencies), ...Object.keys(rootPackage.devDependencies)].filter((name) => !BUNDLED_IN.has(name));
  await build({
    entryPoints: [entry], outfile, absWorkingDir: REPO,
    bundle: true, platform: 'node', target: 'node24', format: 'cjs', external, sourcemap: true, logLevel: 'warning',
    plugins: [sourceDirnames],
  });
}

/**
 * Each of the repository's own files keeps its `__dirname` / `__filename` inside the bundle
 * (prepended on its first line: the source map's lines stay); packages are external anyway.
 */
const sourceDirnames: Plugin = {
  name: 'source-dirnames',
  setup(plugin) {
    plugin.onLoad({ filter: /\.(ts|js|cjs)$/ }, (args) => {
      if (!args.path.startsWith(`${REPO}/`) || args.path.includes('/node_modules/')) return undefined;
      const prefix = `const __dirname = ${JSON.stringify(dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
      return { loader: args.path.endsWith('.ts') ? 'ts' : 'js', contents: `${prefix} ${readFileSync(args.path, 'utf8')}` };
    });
  },
};
