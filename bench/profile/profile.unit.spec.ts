import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { mapFileBeside } from './bundle-map';
import { displayLocation, flameTree, selfTimes, summarize, type CpuProfile, type FrameStat } from './cpu-profile';
import { fitLabel, flameGraphSvg, frameKind } from './flame-graph';
import { statCpuMicros } from './proc-cpu';
import { sourceMapped } from './source-mapped';
import { comparisonMarkdown, topFramesMarkdown } from './top-frames';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, scriptId: url ? 1 : 0, url, lineNumber, columnNumber: 0 });

/**
 * A hand-made profile. Tree:
 *   (root) ─┬─ (idle)
 *           ├─ main a.js:1 ─┬─ work a.js:10 ── work a.js:10 (recursion)
 *           │               ├─ parse b.js:20
 *           │               └─ parse b.js:40 (same function and file, another line)
 *           └─ (garbage collector)
 * Samples (leaf, duration to the next sample; the last one until endTime):
 *   main 100 ms, work 200, work' 100, work' 100, parse@20 300, idle 100, idle 100, gc 50, parse@40 50, work 100.
 * So self: main 100, work 300 + work' 200, parse@20 300, parse@40 50, gc 50, idle 200 (sum 1,200 ms; busy 1,000).
 */
const profile: CpuProfile = {
  startTime: 1_000_000,
  endTime: 2_200_000,
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 6] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('main', '/app/a.js', 0), children: [4, 5, 8] },
    { id: 4, callFrame: frame('work', '/app/a.js', 9), children: [7] },
    { id: 7, callFrame: frame('work', '/app/a.js', 9) },
    { id: 5, callFrame: frame('parse', '/app/node_modules/pkg/b.js', 19) },
    { id: 8, callFrame: frame('parse', '/app/node_modules/pkg/b.js', 39) },
    { id: 6, callFrame: frame('(garbage collector)') },
  ],
  samples: [3, 4, 7, 7, 5, 2, 2, 6, 8, 4],
  timeDeltas: [0, 100_000, 200_000, 100_000, 100_000, 300_000, 100_000, 100_000, 50_000, 50_000],
};

const byName = (frames: readonly FrameStat[], name: string, line: number) => frames.find((f) => f.functionName === name && f.lineNumber === line);
const shortLocation = (url: string, line: number) => (url ? `${url.split('/').pop()}${line >= 0 ? `:${line + 1}` : ''}` : '');

describe('cpu profile aggregation', () => {
  it('a sample lasts until the next one, the last one until endTime', () => {
    expect(Object.fromEntries(selfTimes(profile))).toEqual({ 3: 100_000, 4: 300_000, 7: 200_000, 5: 300_000, 2: 200_000, 6: 50_000, 8: 50_000 });
  });

  it('busy time is the sampled time without (idle)', () => {
    const summary = summarize(profile);
    expect(summary.sampledMicros).toBe(1_200_000);
    expect(summary.idleMicros).toBe(200_000);
    expect(summary.busyMicros).toBe(1_000_000);
    expect(summary.sampleCount).toBe(10);
  });

  it('frames are keyed by function, file and line; a recursive frame counts its time once', () => {
    const { frames } = summarize(profile);
    expect(frames).toHaveLength(5);
    expect(byName(frames, 'work', 9)).toMatchObject({ selfMicros: 500_000, totalMicros: 500_000 });
    expect(byName(frames, 'main', 0)).toMatchObject({ selfMicros: 100_000, totalMicros: 950_000 });
    expect(byName(frames, 'parse', 19)).toMatchObject({ selfMicros: 300_000, totalMicros: 300_000 });
    expect(byName(frames, 'parse', 39)).toMatchObject({ selfMicros: 50_000, totalMicros: 50_000 });
    expect(byName(frames, '(garbage collector)', -1)).toMatchObject({ selfMicros: 50_000, totalMicros: 50_000 });
    expect(frames.some((f) => f.functionName === '(root)' || f.functionName === '(idle)')).toBe(false);
  });

  it('each frame names the caller behind most of its self time; a frame right under (root) has none', () => {
    const { frames } = summarize(profile);
    // work: 300 ms of self time called from main, 200 ms from work itself.
    expect(byName(frames, 'work', 9)!.topCaller).toEqual({ functionName: 'main', url: '/app/a.js', lineNumber: 0 });
    expect(byName(frames, 'parse', 19)!.topCaller).toMatchObject({ functionName: 'main' });
    expect(byName(frames, '(garbage collector)', -1)!.topCaller).toBeUndefined();
  });

  it('without samples, hitCount × the mean interval', () => {
    const summary = summarize({
      startTime: 0,
      endTime: 4_000,
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3] },
        { id: 2, callFrame: frame('(idle)'), hitCount: 1 },
        { id: 3, callFrame: frame('f', '/app/f.js', 4), hitCount: 3 },
      ],
    });
    expect(summary).toMatchObject({ sampledMicros: 4_000, idleMicros: 1_000, busyMicros: 3_000, sampleCount: 4 });
    expect(summary.frames).toEqual([{ functionName: 'f', url: '/app/f.js', lineNumber: 4, selfMicros: 3_000, totalMicros: 3_000 }]);
  });

  it('a profile naming a child it does not contain is refused with a named error', () => {
    expect(() => summarize({ startTime: 0, endTime: 1, nodes: [{ id: 1, callFrame: frame('(root)'), children: [9] }] })).toThrow('names child node 9');
  });

  it('the flame tree merges siblings by function and file and leaves (idle) out', () => {
    const root = flameTree(profile);
    expect(root).toMatchObject({ functionName: 'all', totalMicros: 1_000_000 });
    expect(root.children.map((c) => [c.functionName, c.totalMicros])).toEqual([['(garbage collector)', 50_000], ['main', 950_000]]);
    const main = root.children[1]!;
    expect(main.children.map((c) => [c.functionName, c.selfMicros, c.totalMicros])).toEqual([['parse', 350_000, 350_000], ['work', 300_000, 500_000]]);
    expect(main.children[1]!.children.map((c) => [c.functionName, c.totalMicros])).toEqual([['work', 200_000]]);
  });

  it('locations read relative to the checkout, from node_modules/ for packages, and empty for native code', () => {
    expect(displayLocation('file:///tmp/tree/libs/x/src/a%20b.ts', 41, ['/tmp/tree'])).toBe('libs/x/src/a b.ts:42');
    expect(displayLocation('/tmp/tree/services/authn/src/app.ts', 0, ['/work/main', '/tmp/tree/'])).toBe('services/authn/src/app.ts:1');
    expect(displayLocation('/work/main/node_modules/.pnpm/x/node_modules/fastify/lib/route.js', 9, ['/work/main'])).toBe('node_modules/fastify/lib/route.js:10');
    expect(displayLocation('node:internal/streams/readable', 99, [])).toBe('node:internal/streams/readable:100');
    expect(displayLocation('/elsewhere/a.js', -1, ['/tmp/tree'])).toBe('/elsewhere/a.js');
    expect(displayLocation('', -1, ['/tmp/tree'])).toBe('');
  });
});

describe('top frames tables', () => {
  const markdown = topFramesMarkdown(summarize(profile), { selfCount: 3, inclusiveCount: 2, location: shortLocation });
  const rows = markdown.split('\n').filter((line) => /^\| \d/.test(line));

  it('ranks by self time, then by inclusive time, in % of busy time', () => {
    expect(rows).toEqual([
      '| 1 | `work` | `a.js:10` | 50.0 % | 50.0 % |',
      '| 2 | `parse` | `b.js:20` | 30.0 % | 30.0 % |',
      '| 3 | `main` | `a.js:1` | 10.0 % | 95.0 % |',
      '| 1 | `main` | `a.js:1` | 95.0 % | 10.0 % |',
      '| 2 | `work` | `a.js:10` | 50.0 % | 50.0 % |',
    ]);
    expect(markdown).toContain('| # | function | file:line | self | inclusive |');
    expect(markdown).toContain('| # | function | file:line | inclusive | self |');
  });

  it('native frames say so, and a pipe in a name does not split the cell', () => {
    const summary = summarize({
      startTime: 0,
      endTime: 2,
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3] },
        { id: 2, callFrame: frame('(program)'), hitCount: 1 },
        { id: 3, callFrame: frame('a|b', '/app/p.js', 0), hitCount: 1 },
      ],
    });
    const table = topFramesMarkdown(summary, { selfCount: 2, inclusiveCount: 1, location: shortLocation });
    expect(table).toContain('| `(program)` | (native) | 50.0 % | 50.0 % |');
    expect(table).toContain('| `a\\|b` | `p.js:1` | 50.0 % | 50.0 % |');
  });

  it('a native frame called from JavaScript names the caller behind most of its time', () => {
    // writeUtf8String: one frame (no file, no line) with all 4 samples, 3 of them from handleWriteReq, 1 from log.
    const summary = summarize({
      startTime: 0,
      endTime: 4,
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 4] },
        { id: 2, callFrame: frame('handleWriteReq', 'node:internal/stream_base_commons', 45), children: [3] },
        { id: 3, callFrame: frame('writeUtf8String'), hitCount: 3 },
        { id: 4, callFrame: frame('log', '/app/log.js', 1), children: [5] },
        { id: 5, callFrame: frame('writeUtf8String'), hitCount: 1 },
      ],
    });
    const table = topFramesMarkdown(summary, { selfCount: 1, inclusiveCount: 1, location: shortLocation });
    expect(table).toContain('| 1 | `writeUtf8String` | (native) from `handleWriteReq` `stream_base_commons:46` | 100.0 % | 100.0 % |');
  });
});

describe('before/after comparison', () => {
  // After: main → work, fast; 100 ms per hit: main 100 ms self, work 100, fast 200 (busy 400 ms), over 20 requests.
  const after = summarize({
    startTime: 0,
    endTime: 400_000,
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2] },
      { id: 2, callFrame: frame('main', '/app/a.js', 0), hitCount: 1, children: [3, 4] },
      { id: 3, callFrame: frame('work', '/app/a.js', 9), hitCount: 1 },
      { id: 4, callFrame: frame('fast', '/app/c.js', 0), hitCount: 2 },
    ],
  });

  it('the union of both top lists, as % of each run\'s busy time and µs per request, costliest first', () => {
    // Before: the hand-made profile (busy 1,000 ms) over 10 requests. Top 2 by self: work, parse@20; after: fast, then main (its inclusive time breaks the tie with work).
    const table = comparisonMarkdown({ summary: summarize(profile), requests: 10 }, { summary: after, requests: 20 }, { count: 2, location: shortLocation });
    expect(table.split('\n').filter((line) => line.startsWith('| `') || line.startsWith('| **'))).toEqual([
      '| `work` | `a.js:10` | 50.0 % · 50000.0 µs | 25.0 % · 5000.0 µs |',
      '| `parse` | `b.js:20` | 30.0 % · 30000.0 µs | — |',
      '| `fast` | `c.js:1` | — | 50.0 % · 10000.0 µs |',
      '| `main` | `a.js:1` | 10.0 % · 10000.0 µs | 25.0 % · 5000.0 µs |',
      '| **main thread, all** | | **100000 µs** | **20000 µs** |',
    ]);
  });
});

describe('flame graph SVG', () => {
  // 1,020 px wide less two 10 px margins: 1 px per ms of the 1,000 ms busy time.
  const svg = flameGraphSvg(flameTree(profile), { title: 'test <profile>', width: 1020, location: shortLocation });
  const boxes = [...svg.matchAll(/<g><title>([^<]*)<\/title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)].map((m) => ({ title: m[1]!, x: Number(m[2]), y: Number(m[3]), width: Number(m[4]) }));
  const box = (start: string) => boxes.filter((b) => b.title.startsWith(start));

  it('one rect per merged frame, as wide as its self + children time, children left-aligned on their parent', () => {
    expect(boxes).toHaveLength(6);
    expect(box('all ')[0]).toMatchObject({ x: 10, width: 1000 });
    expect(box('(garbage collector) ')[0]).toMatchObject({ x: 10, width: 50 });
    expect(box('main ')[0]).toMatchObject({ x: 60, width: 950 });
    expect(box('parse ')[0]).toMatchObject({ x: 60, width: 350 });
    expect(box('work ').map((b) => [b.x, b.width])).toEqual([[410, 500], [410, 200]]);
  });

  it('the root is at the bottom, each level one row above its parent', () => {
    const [all, main, work, inner] = [box('all ')[0]!, box('main ')[0]!, box('work ')[0]!, box('work ')[1]!];
    const row = all.y - main.y;
    expect(row).toBeGreaterThan(0);
    expect(main.y - work.y).toBe(row);
    expect(work.y - inner.y).toBe(row);
    expect(box('parse ')[0]!.y).toBe(work.y);
  });

  it('hover titles give location, inclusive and self time in ms and % of busy', () => {
    expect(box('main ')[0]!.title).toBe('main (a.js:1) — 950 ms, 95.00 % of busy; self 100 ms, 10.00 %');
    expect(box('parse ')[0]!.title).toBe('parse (b.js:20) — 350 ms, 35.00 % of busy; self 350 ms, 35.00 %');
    expect(box('(garbage collector) ')[0]!.title).toBe('(garbage collector) — 50.0 ms, 5.00 % of busy; self 50.0 ms, 5.00 %');
    expect(svg).not.toContain('(idle)');
  });

  it('labels name the frames that have room, and text is escaped', () => {
    expect(svg).toMatch(/<text [^>]*>main<\/text>/);
    expect(svg).toContain('test &lt;profile&gt;');
    expect(svg).not.toContain('<profile>');
  });

  it('frames narrower than minWidthPx are left out, their time still in the parent', () => {
    const narrow = flameGraphSvg(flameTree(profile), { title: 't', width: 1020, minWidthPx: 60, location: shortLocation });
    expect(narrow).not.toContain('(garbage collector)');
    expect(narrow).toMatch(/<title>all [^<]*<\/title><rect x="10" y="\d+" width="1000"/);
  });

  it('fitLabel keeps the whole name, cuts it with .., or drops it', () => {
    const name = 'processTicksAndRejections';
    expect(fitLabel(name, 400)).toBe(name);
    const cut = fitLabel(name, 60);
    expect(cut.endsWith('..')).toBe(true);
    expect(name.startsWith(cut.slice(0, -2))).toBe(true);
    expect(cut.length).toBeLessThan(name.length);
    expect(fitLabel(name, 8)).toBe('');
  });

  it('colour families: authtrail code, packages, Node internals, native', () => {
    expect(frameKind({ functionName: 'f', url: 'file:///w/libs/strategies/src/a.ts' })).toBe('authtrail');
    expect(frameKind({ functionName: 'f', url: '/w/node_modules/fastify/fastify.js' })).toBe('package');
    expect(frameKind({ functionName: 'f', url: 'node:internal/http' })).toBe('node');
    expect(frameKind({ functionName: '(program)', url: '' })).toBe('native');
  });
});

describe('source-mapped call frames', () => {
  // Generated line 0 → original line 0; line 1 → line 2; line 3 col 0 → line 4 col 2 ("AAEE": line +2, column +2).
  const map = new SourceMap({ version: 3, file: 'x.js', sources: ['file:///app/x.ts'], names: [], mappings: 'AAAA;AAEA;;AAEE', sourceRoot: '', sourcesContent: [] });
  const input: CpuProfile = {
    startTime: 0,
    endTime: 1,
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3] },
      { id: 2, callFrame: { ...frame('f', '/app/x.js', 3), columnNumber: 4 }, positionTicks: [{ line: 4, ticks: 1 }] } as CpuProfile['nodes'][number],
      { id: 3, callFrame: frame('g', '/app/other.js', 3) },
    ],
  };
  const output = sourceMapped(input, (url) => (url === '/app/x.js' ? map : undefined));

  it('a frame of a mapped file points at the original source, line and column', () => {
    expect(output.nodes[1]!.callFrame).toMatchObject({ functionName: 'f', url: 'file:///app/x.ts', lineNumber: 4, columnNumber: 2 });
    expect(output.nodes[1]).not.toHaveProperty('positionTicks');
  });

  it('frames without a map, and native frames, are left as they were', () => {
    expect(output.nodes[2]).toBe(input.nodes[2]);
    expect(output.nodes[0]).toBe(input.nodes[0]);
  });
});

describe("a bundle's map read from beside it", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-map-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A real esbuild bundle and the map it writes next to it, as tools/build.mjs does.
  writeFileSync(join(dir, 'source.ts'), 'export const one = 1;\n\nexport function called(): number {\n  return one + 1;\n}\n');
  buildSync({ entryPoints: [join(dir, 'source.ts')], outfile: join(dir, 'main.cjs'), bundle: true, format: 'cjs', platform: 'node', sourcemap: true, logLevel: 'silent' });

  it('maps a bundle position to its TypeScript file, named by path or by file: URL', () => {
    for (const url of [join(dir, 'main.cjs'), pathToFileURL(join(dir, 'main.cjs')).href]) {
      const map = mapFileBeside(url);
      expect(map).toBeDefined();
      // The bundle line that returns `one + 1` comes from line 3 (0-based) of source.ts.
      const bundleLines = readFileSync(join(dir, 'main.cjs'), 'utf8').split('\n');
      const line = bundleLines.findIndex((text) => text.includes('return one + 1'));
      expect(map!.findEntry(line, bundleLines[line]!.indexOf('return'))).toMatchObject({ originalSource: expect.stringContaining('source.ts'), originalLine: 3 });
    }
  });

  it('gives nothing for a script without a map beside it, or one not named by an absolute path', () => {
    writeFileSync(join(dir, 'unmapped.cjs'), 'module.exports = 1;\n');
    expect(mapFileBeside(join(dir, 'unmapped.cjs'))).toBeUndefined();
    expect(mapFileBeside('node:internal/timers')).toBeUndefined();
    expect(mapFileBeside('')).toBeUndefined();
  });
});

describe('/proc CPU times', () => {
  it('utime + stime in µs, counted after the command name even when it holds spaces and parentheses', () => {
    expect(statCpuMicros('1234 (node (x) y) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 11 0 5000 0 0')).toBe(3_250_000);
  });

  it('an unreadable line is a named error', () => {
    expect(() => statCpuMicros('garbage')).toThrow('unreadable /proc stat line');
  });
});
