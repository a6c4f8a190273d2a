import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBenchEntry } from './bundled-rerun';

describe('bundleBenchEntry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every file of the repository keeps its own __dirname and __filename inside the bundle', async () => {
    const outfile = join(dir, 'probe.cjs');
    await bundleBenchEntry(join(__dirname, 'testdata', 'dirname-probe.ts'), outfile);
    const { where } = require(outfile) as { where: { dir: string; file: string; nested: { dir: string; file: string } } };
    expect(where).toEqual({
      dir: join(__dirname, 'testdata'),
      file: join(__dirname, 'testdata', 'dirname-probe.ts'),
      nested: { dir: join(__dirname, 'testdata', 'nested'), file: join(__dirname, 'testdata', 'nested', 'where.ts') },
    });
  });

  it('compiles as the production bundle does: no keep-names wrappers, packages left external', async () => {
    const outfile = join(dir, 'authn-bench.cjs');
    await bundleBenchEntry(join(__dirname, '..', 'authn', 'main.ts'), outfile);
    const code = readFileSync(outfile, 'utf8');
    expect(code).not.toContain('__name(');
    expect(code).toContain('require("kafkajs")');
    expect(code).toContain('require("fastify")');
  });
});
