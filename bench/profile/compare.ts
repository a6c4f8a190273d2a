// Before/after table of two saved profiles of the same scenario (for docs/authn.md):
//   npx tsx bench/profile/compare.ts <before.cpuprofile> <requests> <after.cpuprofile> <requests> [top N, default 12]
// The request counts are the ones bench/profile's report gives for each profiled window.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { displayLocation, summarize, type CpuProfile } from './cpu-profile';
import { comparisonMarkdown } from './top-frames';

const [beforeFile, beforeRequests, afterFile, afterRequests, top] = process.argv.slice(2);
if (!beforeFile || !afterFile || !(Number(beforeRequests) > 0) || !(Number(afterRequests) > 0)) {
  console.error('usage: compare.ts <before.cpuprofile> <requests> <after.cpuprofile> <requests> [top N]');
  process.exit(2);
}
const load = (file: string) => summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
// The profiles name their checkouts' absolute paths (this one, or an older commit unpacked elsewhere):
// the part from libs/ or services/ on is what a reader looks for.
const location = (url: string, line: number) => displayLocation(url, line, [resolve(__dirname, '../..')]).replace(/^.*?\/((?:libs|services)\/[^/]+\/src\/)/, '$1');
process.stdout.write(comparisonMarkdown({ summary: load(beforeFile), requests: Number(beforeRequests) }, { summary: load(afterFile), requests: Number(afterRequests) }, { count: Number(top ?? 12), location }));
