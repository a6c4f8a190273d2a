import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TOUR_STEPS } from './tour';

// The newcomer's path, for real: `npm start` on a fresh data directory, the README's tour
// commands run by bash exactly as written, then a restart that must keep the state.
const workspaceRoot = path.resolve(__dirname, '../../../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'authtrail-tour-'));

interface Started {
  readonly process: ChildProcess;
  readonly env: Record<string, string>;
}

function npmStart(): Promise<Started> {
  const child = spawn('npm', ['start'], {
    cwd: workspaceRoot,
    env: { ...process.env, AUTHTRAIL_DATA_DIR: dataDir, AUTHTRAIL_LOG_LEVEL: 'warn', KAFKA_BROKERS: '', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      stdout += d;
      if (stdout.includes('Ctrl-C stops everything')) {
        const env = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
        resolve({ process: child, env });
      }
    });
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${stderr}`)));
  });
}

function stop(started: Started): Promise<void> {
  return new Promise((resolve) => {
    started.process.removeAllListeners('exit');
    started.process.on('exit', () => resolve());
    // npm start → sh → node: signal the whole process group, as a terminal's Ctrl-C does.
    process.kill(-(started.process.pid ?? 0), 'SIGINT');
  });
}

function run(command: string, env: Record<string, string>): string {
  const result = spawnSync('bash', ['-c', command], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return `${result.stdout}${result.stderr}`;
}

describe('npm start and the README tour', () => {
  let started: Started | undefined;
  afterAll(async () => {
    if (started) await stop(started);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the README shows every tour command verbatim', () => {
    const readme = readFileSync(path.join(workspaceRoot, 'README.md'), 'utf8');
    for (const step of TOUR_STEPS) expect(readme).toContain(step.command);
  });

  it('serves TokenReview and the playground, and every tour command answers as the README says', async () => {
    started = await npmStart();
    expect(Object.keys(started.env).sort()).toEqual(['ADMIN_TOKEN', 'ALICE_TOKEN', 'BOB_PASSWORD', 'BOOTSTRAP_TOKEN', 'DEMO', 'OIDC_TOKEN', 'SA_TOKEN']);
    for (const step of TOUR_STEPS) {
      expect({ step: step.title, answer: run(step.command, started.env) }).toEqual({ step: step.title, answer: expect.stringContaining(step.expect) });
    }
    const playground = run('curl -s http://127.0.0.1:4000/playground', {});
    expect(playground).toContain('<html');
  }, 120_000);

  it('a restart keeps identities, failures and policy', async () => {
    if (started) await stop(started);
    started = await npmStart();
    const query = `curl -s http://127.0.0.1:4000/graphql -H "authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' -d '{"query":"{ identity(username: \\"alice\\") { successCount } authFailures(first: 1) { totalCount } policy { version } }"}'`;
    const answer = JSON.parse(run(query, started.env)) as { data: { identity: { successCount: number }; authFailures: { totalCount: number }; policy: { version: number } } };
    expect(answer.data.identity.successCount).toBeGreaterThanOrEqual(1);
    expect(answer.data.authFailures.totalCount).toBeGreaterThanOrEqual(1);
    expect(answer.data.policy.version).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('authtrail replay rebuilds the read models to the same answers, with progress and a count', async () => {
    if (!started) throw new Error('npm start is not running');
    const query = `curl -s http://127.0.0.1:4000/graphql -H "authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' -d '{"query":"{ identities(first: 50) { totalCount edges { node { username successCount failureCount } } } credentials(first: 50) { totalCount } }"}'`;
    // Each GraphQL call is itself a decision of the admin (endpoint graphql), projected after the
    // answer: the caller's own success count moves with every look, so it is left out.
    type Answer = { data: { identities: { totalCount: number; edges: { node: { username: string } }[] }; credentials: { totalCount: number } } };
    const withoutCaller = (answer: Answer) => ({ ...answer.data, identities: { ...answer.data.identities, edges: answer.data.identities.edges.filter((e) => e.node.username !== 'admin') } });
    const before = withoutCaller(JSON.parse(run(query, started.env)) as Answer);
    await stop(started);
    started = undefined;
    const replay = spawnSync(process.execPath, [path.join(workspaceRoot, 'tools/cli/bin/authtrail.js'), 'replay'], {
      cwd: workspaceRoot,
      env: { ...process.env, AUTHTRAIL_DATA_DIR: dataDir, KAFKA_BROKERS: '', DATABASE_URL: '' },
      encoding: 'utf8',
    });
    expect(replay.status).toBe(0);
    expect(replay.stdout).toMatch(/^replayed [1-9]\d* events from database/);
    expect(replay.stderr).toContain('[replay] decision');
    started = await npmStart();
    expect(withoutCaller(JSON.parse(run(query, started.env)) as Answer)).toEqual(before);
  }, 180_000);
});
