import { spawnSync } from 'node:child_process';
import { HEAP_GROWING_PERCENT, tuneHeapGrowth } from './heap-growth';

describe('tuneHeapGrowth', () => {
  it('sets V8 heap growing factor to 4× the live size when the command line names none', () => {
    const set: string[] = [];
    expect(tuneHeapGrowth({ execArgv: ['--enable-source-maps'], setFlags: (flags) => set.push(flags) })).toBe(true);
    expect(HEAP_GROWING_PERCENT).toBe(300);
    expect(set).toEqual(['--heap-growing-percent=300']);
  });

  it('leaves a factor given on the command line alone, in either spelling (=0: V8 own)', () => {
    for (const given of ['--heap-growing-percent=0', '--heap_growing_percent=150', '--heap-growing-percent']) {
      const set: string[] = [];
      expect(tuneHeapGrowth({ execArgv: ['--inspect', given], setFlags: (flags) => set.push(flags) })).toBe(false);
      expect(set).toEqual([]);
    }
  });

  it('is a flag this V8 knows: set at run time without "unrecognized flag" (which V8 writes for a misspelt one)', () => {
    const setIn = (flag: string) => spawnSync(process.execPath, ['--expose-gc', '-e', `require('node:v8').setFlagsFromString('${flag}'); global.gc(); process.stdout.write('alive')`], { encoding: 'utf8' });
    const tuned = setIn(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect([tuned.stdout, tuned.stderr]).toEqual(['alive', '']);
    expect(setIn('--heap-growing-percentage=300').stderr).toContain('unrecognized flag');
  });
});
