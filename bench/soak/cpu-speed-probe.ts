// The soak's CPU-speed probe, in a process of its own: every 2 s it times a fixed CPU-only
// workload (2,000 chained SHA-256 of 64 bytes) five times and keeps the fastest, which filters
// out the runs it was descheduled in. Whenever a line arrives on stdin it prints the median of
// the figures since the previous line, in ms. When the same work takes longer, the machine is
// slower (its host's other tenants, frequency): every process on it pays, the product included.
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';

const INPUT = Buffer.alloc(64, 1);
const ROUNDS = 2_000;
const TRIES = 5;

function fixedWorkMs(): number {
  const started = process.hrtime.bigint();
  let digest = INPUT;
  for (let i = 0; i < ROUNDS; i += 1) digest = createHash('sha256').update(digest).digest();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

let figures: number[] = [];
setInterval(() => {
  let fastest = Infinity;
  for (let i = 0; i < TRIES; i += 1) fastest = Math.min(fastest, fixedWorkMs());
  figures.push(fastest);
}, 2_000);

createInterface({ input: process.stdin })
  .on('line', () => {
    const sorted = figures.sort((a, b) => a - b);
    figures = [];
    process.stdout.write(`${JSON.stringify(sorted.length === 0 ? null : sorted[Math.floor(sorted.length / 2)])}\n`);
  })
  .on('close', () => process.exit(0));
