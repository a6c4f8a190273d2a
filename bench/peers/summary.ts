// bench/peers' figures: per-server medians over the interleaved rounds, the ratios the issue sets
// targets for, and the markdown they are printed and saved as. Pure.

export interface Measured {
  readonly rps: number;
  readonly total: number;
  /** ms */
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  /** CPU time of the server's own process (/proc) per request answered. */
  readonly cpuMicrosPerRequest: number;
  /** VmRSS of the server's process right after this load. */
  readonly rssBytes: number | undefined;
  /** CPU time of the private Kafka broker per request over the same load (undefined: no private broker). */
  readonly brokerCpuMicrosPerRequest: number | undefined;
}

export interface Summary {
  readonly rounds: number;
  readonly rps: number;
  readonly p99: number;
  readonly cpuMicrosPerRequest: number;
  readonly brokerCpuMicrosPerRequest: number | undefined;
  /** After the last round. */
  readonly rssBytes: number | undefined;
  readonly non2xx: number;
  readonly errors: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarize(runs: readonly Measured[]): Summary {
  return {
    rounds: runs.length,
    rps: median(runs.map((r) => r.rps)),
    p99: median(runs.map((r) => r.p99)),
    cpuMicrosPerRequest: median(runs.map((r) => r.cpuMicrosPerRequest)),
    brokerCpuMicrosPerRequest: runs.every((r) => r.brokerCpuMicrosPerRequest !== undefined) ? median(runs.map((r) => r.brokerCpuMicrosPerRequest as number)) : undefined,
    rssBytes: runs.at(-1)?.rssBytes,
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}

export interface TableRow {
  readonly scenario: string;
  readonly server: string;
  readonly summary: Summary;
  /** authtrail's rate over this row's, when the row is a peer or a baseline of that scenario. */
  readonly authtrailRatio?: number;
}

const MiB = 1024 * 1024;
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

export function resultsTable(rows: readonly TableRow[]): string {
  const lines = ['| scenario | server | req/s | p99 ms | CPU µs/req | Kafka broker CPU µs/req | RSS after load | authtrail ÷ this |', '|---|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    const s = row.summary;
    const failures = s.non2xx + s.errors > 0 ? ` (${s.non2xx} non-2xx, ${s.errors} errors)` : '';
    lines.push(
      `| ${row.scenario} | ${row.server} | ${thousands(s.rps)}${failures} | ${s.p99} | ${thousands(s.cpuMicrosPerRequest)} | ${s.brokerCpuMicrosPerRequest === undefined ? '—' : thousands(s.brokerCpuMicrosPerRequest)} | ${s.rssBytes === undefined ? '—' : `${(s.rssBytes / MiB).toFixed(0)} MiB`} | ${row.authtrailRatio === undefined ? '' : `${row.authtrailRatio.toFixed(2)}×`} |`,
    );
  }
  return lines.join('\n');
}

export interface Target {
  readonly name: string;
  readonly ratio: number;
  /** authtrail ÷ peer must be at least this. */
  readonly atLeast: number;
  /** The scenario's floor ÷ peer: the most a service doing authtrail's least per decision reaches. */
  readonly floorRatio?: number;
}

/** Met; unmet but within the floor (authtrail's own work stops it); or out of reach (the floor itself stops it). */
export function verdict(target: Target): string {
  if (target.ratio >= target.atLeast) return 'yes';
  if (target.floorRatio === undefined) return 'NO';
  return target.floorRatio >= target.atLeast ? "NO: within the floor, authtrail's own work stops it" : 'NO: out of reach here, the floor itself is below the goal';
}

export function targetsTable(targets: readonly Target[]): string {
  const lines = ['| target | authtrail ÷ peer | goal | floor ÷ peer | met |', '|---|---|---|---|---|'];
  for (const t of targets) lines.push(`| ${t.name} | ${t.ratio.toFixed(2)}× | ≥ ${t.atLeast.toFixed(1)}× | ${t.floorRatio === undefined ? '—' : `${t.floorRatio.toFixed(2)}×`} | ${verdict(t)} |`);
  return lines.join('\n');
}

/**
 * Why authtrail is where it is against Guard: the distance from 1.0×, and the two ceilings measured
 * in the same run — bare fastify over the same HTTPS listener (Node's HTTP/TLS alone) and the same
 * plus one Kafka record (what a Node service that records every decision can reach).
 */
export function guardGap(figures: { readonly authtrail: Summary; readonly guard: Summary; readonly bare?: Summary; readonly ceiling?: Summary }): string {
  const { authtrail, guard, bare, ceiling } = figures;
  const ratio = authtrail.rps / guard.rps;
  const parts = [
    `authtrail serves ${ratio.toFixed(2)}× Guard's TokenReviews (${(1 - ratio >= 0 ? 1 - ratio : 0).toFixed(2)} short of 1.0×: ${thousands(Math.max(0, guard.rps - authtrail.rps))} req/s; ${thousands(authtrail.cpuMicrosPerRequest)} µs CPU per request against Guard's ${thousands(guard.cpuMicrosPerRequest)}).`,
    'Guard looks the token up in a map and records nothing; authtrail also fingerprints the credential, builds the decision event and publishes one Kafka record per decision.',
  ];
  if (bare) parts.push(`Bare fastify on the same HTTPS listener, authenticating nothing, serves ${(bare.rps / guard.rps).toFixed(2)}× Guard (${thousands(bare.cpuMicrosPerRequest)} µs/req): Node's HTTP and TLS alone.`);
  if (ceiling) parts.push(`The same plus one decision record to Kafka per request (the ceiling) serves ${(ceiling.rps / guard.rps).toFixed(2)}× Guard (${thousands(ceiling.cpuMicrosPerRequest)} µs/req): the most a Node service that records every decision through kafkajs reaches here; authtrail keeps ${(authtrail.rps / ceiling.rps).toFixed(2)}× of it.`);
  return parts.join(' ');
}
