import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const child = path.join(__dirname, '../testdata/embedded-postgres.child.ts');
const tsx = path.join(__dirname, '../../../node_modules/.bin/tsx');

// startEmbeddedPostgres is exercised in a tsx child: the package is ESM-only and jest (CommonJS)
// cannot import it; `npm start` runs under tsx the same way.
describe('startEmbeddedPostgres', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'authtrail-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('initialises a cluster under dataDir/postgres, listens on loopback only, and keeps data across restarts', async () => {
    const first = JSON.parse((await run(tsx, [child, dataDir], { timeout: 60_000 })).stdout.trim());
    expect(first).toEqual({ boots: 1, listen: '127.0.0.1', clusterDir: path.join(dataDir, 'postgres') });
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const second = JSON.parse((await run(tsx, [child, dataDir], { timeout: 60_000 })).stdout.trim());
    expect(second.boots).toBe(2);
  }, 120_000);

  it('a Ctrl-C to the process group leaves PostgreSQL to authtrail: a write after the signal lands, and stop() returns', async () => {
    // Detached, as a terminal's foreground job: the SIGINT goes to every process of the group.
    const job = spawn(process.execPath, ['--import', 'tsx', child, dataDir, 'sigint'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    job.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = new Promise((resolve) => job.once('exit', resolve));
    while (!out.includes('ready\n')) await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(-(job.pid ?? 0), 'SIGINT');
    expect(await code).toBe(0);
    const boots = JSON.parse(out.slice(out.indexOf('{'))) as { boots: number };
    const startedBefore = JSON.parse((await run(tsx, [child, dataDir], { timeout: 60_000 })).stdout.trim()) as { boots: number };
    // Its own boot, its late row, and this run's boot.
    expect({ printed: boots.boots, next: startedBefore.boots }).toEqual({ printed: 3, next: 5 });
  }, 120_000);

  it('refuses a second authtrail on the same dataDir, and after the owner was SIGKILLed the next start takes over the cluster it left running', async () => {
    // node itself (not the tsx launcher) so that the SIGKILL hits the process that owns the cluster.
    const holder = spawn(process.execPath, ['--import', 'tsx', child, dataDir, 'hold'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      const held = await new Promise<{ boots: number }>((resolve, reject) => {
        let out = '';
        holder.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(JSON.parse(out.trim()));
        });
        holder.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      expect(held.boots).toBe(6);
      await expect(run(tsx, [child, dataDir], { timeout: 60_000 })).rejects.toMatchObject({ stderr: expect.stringContaining('which is still running (one authtrail per data directory)') });
    } finally {
      holder.kill('SIGKILL');
    }
    await exited;
    const after = JSON.parse((await run(tsx, [child, dataDir], { timeout: 90_000 })).stdout.trim());
    expect(after.boots).toBe(7);
  }, 240_000);
});
