import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The module-boundary rules must forbid something real: these imports are linted as if they
// were written in the named files, through the workspace's own ESLint config and Nx graph.
const workspaceRoot = path.resolve(__dirname, '../../..');

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  // The ESLint CLI in a child process: the flat config is ESM, which jest's sandbox cannot load.
  const eslint = spawnSync(
    process.execPath,
    [path.join(workspaceRoot, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', file],
    { cwd: workspaceRoot, input: code, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  const [result] = JSON.parse(eslint.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  it('authn importing read-model is rejected', async () => {
    const errors = await boundaryErrors(
      'services/authn/src/forbidden.ts',
      "import { runMigrations } from '@authtrail/read-model';\nexport const x = runMigrations;\n",
    );
    expect(errors).toEqual([expect.stringContaining('"scope:authn" can only depend on libs tagged with "scope:shared"')]);
  });

  it('production code importing the test harness is rejected, a spec or testdata file may', async () => {
    const code = "import { uniqueTopic } from '@authtrail/testing';\nexport const x = uniqueTopic;\n";
    expect(await boundaryErrors('services/projector/src/forbidden.ts', code)).not.toEqual([]);
    expect(await boundaryErrors('services/projector/src/allowed.int.spec.ts', code)).toEqual([]);
    expect(await boundaryErrors('services/projector/src/testdata/allowed.fixture.ts', code)).toEqual([]);
  });

  it('projector may import read-model', async () => {
    const code = "import { runMigrations } from '@authtrail/read-model';\nexport const x = runMigrations;\n";
    expect(await boundaryErrors('services/projector/src/allowed.ts', code)).toEqual([]);
  });
});
