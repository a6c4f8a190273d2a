// The committed resolver types must be what codegen makes from the committed schema: change a
// `.graphql` file without regenerating and this fails (regenerate with the command in codegen.yml).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const CONFIG = join(ROOT, 'services/graphql-api/codegen.yml');
const COMMITTED = join(__dirname, 'resolvers.generated.ts');
const OUTPUT_KEY = 'services/graphql-api/src/generated/resolvers.generated.ts:';

it('src/generated/resolvers.generated.ts is up to date with src/schema/*.graphql', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-codegen-'));
  try {
    const fresh = join(dir, 'resolvers.generated.ts');
    const config = readFileSync(CONFIG, 'utf8');
    expect(config).toContain(OUTPUT_KEY);
    writeFileSync(join(dir, 'codegen.yml'), config.replace(OUTPUT_KEY, `${JSON.stringify(fresh)}:`));
    execFileSync(join(ROOT, 'node_modules/.bin/graphql-codegen'), ['--config', join(dir, 'codegen.yml'), '--silent'], { cwd: ROOT, stdio: 'pipe', timeout: 50_000 });
    expect(readFileSync(fresh, 'utf8')).toBe(readFileSync(COMMITTED, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
