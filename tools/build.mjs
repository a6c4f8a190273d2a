// `npm run build`: one CommonJS bundle per service (and the CLI) under dist/, runnable with plain
// `node` (no tsx): our TypeScript and the ESM-only packages (jose, cel-js) are bundled in, every
// other dependency stays in node_modules.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { dependencies } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const bundledIn = new Set(['jose', '@marcbachmann/cel-js']);
const external = Object.keys(dependencies).filter((name) => !bundledIn.has(name) && !name.startsWith('@types/'));

const entries = {
  authn: 'services/authn/src/main.ts',
  projector: 'services/projector/src/main.ts',
  'graphql-api': 'services/graphql-api/src/main.ts',
  'siem-exporter': 'services/siem-exporter/src/main.ts',
  cli: 'tools/cli/src/main.ts',
};

for (const [name, entry] of Object.entries(entries)) {
  const started = Date.now();
  await build({ entryPoints: [entry], outfile: `dist/${name}/main.cjs`, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external, sourcemap: true, logLevel: 'warning' });
  console.log(`built dist/${name}/main.cjs (${Date.now() - started} ms)`);
}
