// `npm run bench [area …]`: runs every benchmark under bench/<area>/main.ts (or the named ones)
// one after another, each in its own process so one's broker or heap does not skew the next.
// Some run only when named: the soak (30 minutes), peers (needs GUARD_SRC and OATHKEEPER_SRC,
// docs/peers.md), profile (writes CPU profiles and flame graphs into bench/results/) and ab (a
// commit against the working tree, docs/authn.md).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const benchDir = __dirname;
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(benchDir, entry.name, 'main.ts')))
  .map((entry) => entry.name)
  .sort();

// Options after the names go to the benchmark(s): `npm run bench graphql -- --decisions 50000000`.
const firstOption = process.argv.findIndex((arg, i) => i >= 2 && arg.startsWith('--'));
const requested = process.argv.slice(2, firstOption === -1 ? undefined : firstOption);
const options = firstOption === -1 ? [] : process.argv.slice(firstOption);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

const ON_DEMAND = ['ab', 'soak', 'peers', 'profile'];
const chosen = requested.length > 0 ? requested : available.filter((name) => !ON_DEMAND.includes(name));
let failed = 0;
for (const [index, name] of chosen.entries()) {
  console.log(`\n### bench ${index + 1}/${chosen.length}: ${name}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, name, 'main.ts'), ...options], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed += 1;
    console.error(`bench ${name} exited with ${run.status ?? run.signal}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
