import { compare, comparisonTable, summarizeVariant, type ProcessRuns } from './summary';

const rounds = (...rps: number[]) => rps.map((r) => ({ rps: r, cpuMicrosPerRequest: 1e6 / r }));
/** Two processes of each variant, one round each at these rates. */
const twoEach = (before: [number, number], after: [number, number]): ProcessRuns[] => [
  ...before.map((rps, i) => ({ variant: 'before', process: i + 1, rounds: rounds(rps) })),
  ...after.map((rps, i) => ({ variant: 'after', process: i + 1, rounds: rounds(rps) })),
];

describe('bench/ab summary', () => {
  it("summarizes a variant from each process's median, and the spread between its processes", () => {
    const runs: ProcessRuns[] = [
      { variant: 'before', process: 1, rounds: rounds(900, 1000, 1100) },
      { variant: 'before', process: 2, rounds: rounds(1150, 1200, 1250) },
      { variant: 'after', process: 1, rounds: rounds(5, 5, 5) },
    ];
    const summary = summarizeVariant('before', runs);
    expect(summary.processRps).toEqual([1000, 1200]);
    expect(summary.rps).toBe(1100);
    expect(summary.spread).toBeCloseTo(0.2, 10);
    // CPU per request: the median over the processes of each one's median.
    expect(summary.cpuMicrosPerRequest).toBeCloseTo((1e6 / 1000 + 1e6 / 1200) / 2, 6);
  });

  it('calls a change no larger than the spread between identical processes noise', () => {
    const result = compare(twoEach([1000, 1100], [1080, 1100]), 'before', 'after');
    expect(result.rpsRatio).toBeCloseTo(1090 / 1050, 10);
    expect(result.verdict).toBe('within the noise: after faster by 3.8 %, identical processes 10.0 % apart');
  });

  it('calls a change beyond that spread by its direction and size', () => {
    const result = compare(twoEach([1000, 1020], [800, 808]), 'before', 'after');
    expect(result.verdict).toBe('after slower by 20.4 %, beyond the 2.0 % between identical processes');
    expect(result.cpuRatio).toBeGreaterThan(1);
  });

  it('prints one row per variant, the ratios on the after row', () => {
    const runs: ProcessRuns[] = [
      { variant: 'before', process: 1, rounds: rounds(1000) },
      { variant: 'after', process: 1, rounds: rounds(2000) },
    ];
    const table = comparisonTable([{ scenario: 'cached', comparison: compare(runs, 'before', 'after') }]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('| cached | before | 1,000 (1,000) | 1000 |  |  |  |');
    expect(lines[3]).toBe('|  | after | 2,000 (2,000) | 500 | 2.000× | 0.500× | after faster by 100.0 %; one process of a variant: the spread between identical processes is not measured |');
  });
});
