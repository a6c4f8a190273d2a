// The arithmetic of bench/ab: each process's median over the rounds, each variant's median over
// its processes, and the ratio of the two variants judged against the spread between processes
// of the same code, which on this VM is often larger than a lever (docs/authn.md, "Levers tried
// in session 11").
import { median } from '../peers/summary';

export interface Round {
  readonly rps: number;
  readonly cpuMicrosPerRequest: number;
}

/** The measured rounds of one process of one variant in one scenario. */
export interface ProcessRuns {
  readonly variant: string;
  readonly process: number;
  readonly rounds: readonly Round[];
}

export interface VariantSummary {
  readonly variant: string;
  /** Median req/s of each process over its rounds. */
  readonly processRps: readonly number[];
  readonly rps: number;
  readonly cpuMicrosPerRequest: number;
  /** Fastest process ÷ slowest − 1: how far identical processes were apart. */
  readonly spread: number;
}

export interface Comparison {
  readonly before: VariantSummary;
  readonly after: VariantSummary;
  /** after ÷ before, req/s. */
  readonly rpsRatio: number;
  /** after ÷ before, CPU per request. */
  readonly cpuRatio: number;
  readonly verdict: string;
}

export function summarizeVariant(variant: string, runs: readonly ProcessRuns[]): VariantSummary {
  const own = runs.filter((r) => r.variant === variant);
  const processRps = own.map((r) => median(r.rounds.map((round) => round.rps)));
  const processCpu = own.map((r) => median(r.rounds.map((round) => round.cpuMicrosPerRequest)));
  return {
    variant,
    processRps,
    rps: median(processRps),
    cpuMicrosPerRequest: median(processCpu),
    spread: processRps.length > 1 ? Math.max(...processRps) / Math.min(...processRps) - 1 : 0,
  };
}

export function compare(runs: readonly ProcessRuns[], before: string, after: string): Comparison {
  const b = summarizeVariant(before, runs);
  const a = summarizeVariant(after, runs);
  const rpsRatio = a.rps / b.rps;
  const cpuRatio = a.cpuMicrosPerRequest / b.cpuMicrosPerRequest;
  const noise = Math.max(a.spread, b.spread);
  const change = `${after} ${rpsRatio >= 1 ? 'faster' : 'slower'} by ${(Math.abs(rpsRatio - 1) * 100).toFixed(1)} %`;
  const verdict =
    a.processRps.length < 2 || b.processRps.length < 2
      ? `${change}; one process of a variant: the spread between identical processes is not measured`
      : Math.abs(rpsRatio - 1) <= noise
        ? `within the noise: ${change}, identical processes ${(noise * 100).toFixed(1)} % apart`
        : `${change}, beyond the ${(noise * 100).toFixed(1)} % between identical processes`;
  return { before: b, after: a, rpsRatio, cpuRatio, verdict };
}

export function comparisonTable(rows: readonly { readonly scenario: string; readonly comparison: Comparison }[]): string {
  const lines = ['| scenario | variant | req/s (each process) | CPU µs/req | after ÷ before, req/s | after ÷ before, CPU | verdict |', '|---|---|---|---|---|---|---|'];
  for (const { scenario, comparison } of rows) {
    for (const [index, v] of [comparison.before, comparison.after].entries()) {
      const each = v.processRps.map((rps) => Math.round(rps).toLocaleString('en-US')).join(' / ');
      const last = index === 1;
      lines.push(`| ${index === 0 ? scenario : ''} | ${v.variant} | ${Math.round(v.rps).toLocaleString('en-US')} (${each}) | ${v.cpuMicrosPerRequest.toFixed(0)} | ${last ? `${comparison.rpsRatio.toFixed(3)}×` : ''} | ${last ? `${comparison.cpuRatio.toFixed(3)}×` : ''} | ${last ? comparison.verdict : ''} |`);
    }
  }
  return lines.join('\n');
}
