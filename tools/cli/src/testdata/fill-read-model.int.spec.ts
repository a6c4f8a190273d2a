// The script as fixtures run it: a child process, the plan on standard input or in a file.
// (The filling itself is exercised by every graphql-api query spec.)
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const SCRIPT = join(__dirname, 'fill-read-model.ts');

function run(args: readonly string[], stdin: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } }, (error, _stdout, stderr) =>
      resolve({ code: error ? (error.code as number) : 0, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

it('refuses to run without a database URL', async () => {
  const result = await run([], '{}');
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('--database-url');
});

it('reads the plan from standard input and names every problem with its path before touching the database', async () => {
  const result = await run(['--database-url', 'postgres://127.0.0.1:1/none'], JSON.stringify({ boots: [{ requests: [{ url: 'relative' }] }] }));
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('plan.configFile');
  expect(result.stderr).toContain('plan.boots[0].requests[0].method');
  expect(result.stderr).toContain('plan.boots[0].requests[0].url');
});
