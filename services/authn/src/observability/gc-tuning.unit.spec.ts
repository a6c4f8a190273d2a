import { spawnSync } from 'node:child_process';
import { HEAP_GROWING_PERCENT, tuneGarbageCollection } from './gc-tuning';

describe('tuneGarbageCollection', () => {
  const tuned = (execArgv: string[]) => {
    const set: string[] = [];
    const returned = tuneGarbageCollection({ execArgv, setFlags: (flags) => set.push(flags) });
    expect(returned).toEqual(set);
    return set;
  };

  it('grows the heap 4× the live size and turns allocation-site pretenuring off when the command line names neither', () => {
    expect(HEAP_GROWING_PERCENT).toBe(300);
    expect(tuned(['--enable-source-maps'])).toEqual(['--heap-growing-percent=300', '--no-allocation-site-pretenuring']);
  });

  it('leaves a growing factor given on the command line alone, in either spelling (=0: V8 own)', () => {
    for (const given of ['--heap-growing-percent=0', '--heap_growing_percent=150', '--heap-growing-percent']) {
      expect(tuned(['--inspect', given])).toEqual(['--no-allocation-site-pretenuring']);
    }
  });

  it('leaves pretenuring named on the command line alone, turned on or off, in either spelling', () => {
    for (const given of ['--allocation-site-pretenuring', '--no-allocation-site-pretenuring', '--no_allocation_site_pretenuring', '--allocation_site_pretenuring']) {
      expect(tuned([given])).toEqual(['--heap-growing-percent=300']);
    }
    expect(tuned(['--allocation-site-pretenuring', '--heap-growing-percent=0'])).toEqual([]);
  });

  it('sets flags this V8 knows: at run time without "unrecognized flag" (which V8 writes for a misspelt one)', () => {
    const setIn = (flags: readonly string[]) =>
      spawnSync(process.execPath, ['--expose-gc', '-e', `for (const f of ${JSON.stringify(flags)}) require('node:v8').setFlagsFromString(f); global.gc(); process.stdout.write('alive')`], { encoding: 'utf8' });
    const all = setIn(tuned([]));
    expect([all.stdout, all.stderr]).toEqual(['alive', '']);
    expect(setIn(['--no-allocation-site-pretenuring', '--no-allocation-site-pretenure']).stderr).toContain('unrecognized flag');
  });

  it('turns pretenuring off when set at run time: V8 then marks no allocation site for tenuring, where it does without', () => {
    // Objects of one literal that all survive: V8 moves that site towards allocating its objects
    // old ("undecided => maybe tenure", then "=> tenure" if enough scavenges follow).
    const workload = 'const keep = []; const make = (i) => ({ a: i, b: [i, i] }); for (let i = 0; i < 3e5; i++) keep.push(make(i));';
    const tenureDecisions = (flags: readonly string[]) => {
      const run = spawnSync(process.execPath, ['--trace-pretenuring-statistics', '-e', `for (const f of ${JSON.stringify(flags)}) require('node:v8').setFlagsFromString(f); ${workload}`], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      return run.stdout.split('\n').filter((line) => /=> (maybe )?tenure/.test(line)).length;
    };
    expect(tenureDecisions([])).toBeGreaterThan(0);
    expect(tenureDecisions(tuned([]))).toBe(0);
  });
});
