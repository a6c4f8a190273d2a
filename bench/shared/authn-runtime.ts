// How a bench runs services/authn in a process of its own (BENCH_AUTHN_RUNTIME):
//   bundle (default) — what the production image runs: tools/build.mjs's bundle on plain node;
//   tsx              — `npx tsx services/authn/src/main.ts`, as `npm start` and the tests run it.
// They differ in what tsx adds per request: its keep-names helper (`__name`) around every function
// created at run time, e.g. a closure per request (docs/authn.md, "tsx or the bundle").
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type AuthnRuntime = 'bundle' | 'tsx';

export interface AuthnCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** How reports name each. */
export const RUNTIME_LABELS: Readonly<Record<AuthnRuntime, string>> = {
  bundle: 'the production bundle (tools/build.mjs) on plain node, as its image runs it',
  tsx: 'services/authn/src/main.ts on tsx',
};

/** BENCH_AUTHN_RUNTIME (or the variable named), validated. */
export function authnRuntime(variable = 'BENCH_AUTHN_RUNTIME', fallback: AuthnRuntime = 'bundle'): AuthnRuntime {
  const value = process.env[variable] ?? fallback;
  if (value !== 'bundle' && value !== 'tsx') throw new Error(`${variable} must be bundle or tsx, not ${JSON.stringify(value)}`);
  return value;
}

/**
 * The command that starts `tree`'s authn with these arguments. A bundle is built first, with the
 * tree's own tools/build.mjs, under its node_modules/.cache: node finds the bundle's external
 * packages in the tree's node_modules from there, and nothing of the tree's dist/ is touched.
 */
export function authnCommand(tree: string, runtime: AuthnRuntime, args: readonly string[], log: (line: string) => void): AuthnCommand {
  if (runtime === 'tsx') {
    return { command: process.execPath, args: ['--import', 'tsx', join(tree, 'services', 'authn', 'src', 'main.ts'), ...args] };
  }
  return { command: process.execPath, args: [builtBundle(tree, log), ...args] };
}

const built = new Map<string, string>();

function builtBundle(tree: string, log: (line: string) => void): string {
  const known = built.get(tree);
  if (known) return known;
  const script = join(tree, 'tools', 'build.mjs');
  if (!existsSync(script)) throw new Error(`${tree} has no tools/build.mjs to bundle authn with: use BENCH_AUTHN_RUNTIME=tsx`);
  const outDir = join(tree, 'node_modules', '.cache', 'authtrail-bench-bundle');
  log(`bundling ${tree}'s services with its tools/build.mjs into ${outDir} …`);
  execFileSync(process.execPath, [script, '--out', outDir], { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] });
  const bundle = join(outDir, 'authn', 'main.cjs');
  built.set(tree, bundle);
  return bundle;
}
