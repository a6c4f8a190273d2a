// The registry's own rules, with real processes: an owner child records a process it starts and
// exits without stopping it, as a killed test run would.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { reapLeftovers } from '../harness/process-registry.js';

const registryModule = path.join(__dirname, '../harness/process-registry.js');

function running(pid: number): boolean {
  try {
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().startsWith('Z');
  } catch {
    return false;
  }
}

describe('process registry', () => {
  const registry = mkdtempSync(path.join(tmpdir(), 'authtrail-registry-'));
  const previous = process.env['AUTHTRAIL_PROCESS_REGISTRY'];
  const leftovers: number[] = [];
  beforeAll(() => {
    process.env['AUTHTRAIL_PROCESS_REGISTRY'] = registry;
  });
  afterAll(() => {
    for (const pid of leftovers) if (running(pid)) process.kill(pid, 'SIGKILL');
    if (previous === undefined) delete process.env['AUTHTRAIL_PROCESS_REGISTRY'];
    else process.env['AUTHTRAIL_PROCESS_REGISTRY'] = previous;
    rmSync(registry, { recursive: true, force: true });
  });

  /** An owner process that starts `code` under node, records it with `entry` and exits once it is ready, leaving it running. */
  async function leaveBehind(code: string, entry: Record<string, unknown>): Promise<number> {
    const owner = `const { spawn } = require('node:child_process');
      const { registerProcess } = require(${JSON.stringify(registryModule)});
      const child = spawn(process.execPath, ['-e', ${JSON.stringify(`${code}; console.log('ready');`)}], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
      registerProcess({ ...${JSON.stringify(entry)}, pid: child.pid });
      child.stdout.once('data', () => { console.log(child.pid); process.exit(0); });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', owner], { env: { ...process.env, AUTHTRAIL_PROCESS_REGISTRY: registry } });
    const pid = Number(stdout.trim());
    leftovers.push(pid);
    return pid;
  }

  it('a leftover that ignores its stop signal is SIGKILLed', async () => {
    const pid = await leaveBehind("process.on('SIGTERM', () => undefined); setInterval(() => undefined, 60000);", { kind: 'stubborn', label: 'a process ignoring SIGTERM' });
    expect(running(pid)).toBe(true);
    expect(readdirSync(registry)).toHaveLength(1);

    const reaped = await reapLeftovers();

    expect(reaped).toEqual([{ kind: 'stubborn', label: 'a process ignoring SIGTERM', pid }]);
    expect(running(pid)).toBe(false);
    expect(readdirSync(registry)).toEqual([]);
  }, 60_000);

  it('a directory outside the temporary directory is never deleted, whatever the record says', async () => {
    // The reaper's temporary directory is os.tmpdir(), i.e. TMPDIR: point it at a directory of its
    // own, so "outside" holds wherever the checkout lives (CI clones may sit under /tmp).
    const base = mkdtempSync(path.join(tmpdir(), 'authtrail-registry-guard-'));
    const reaperTmp = path.join(base, 'tmp');
    const kept = path.join(base, 'kept');
    mkdirSync(reaperTmp);
    mkdirSync(kept);
    writeFileSync(path.join(kept, 'data'), 'kept');
    const temporary = mkdtempSync(path.join(reaperTmp, 'authtrail-registry-data-'));
    try {
      const outside = await leaveBehind('setInterval(() => undefined, 60000);', { kind: 'outside', label: 'with a directory outside tmp', removeDir: kept });
      const inside = await leaveBehind('setInterval(() => undefined, 60000);', { kind: 'inside', label: 'with a temporary directory', removeDir: temporary });

      // A reaper process of its own: os.tmpdir() reads the real environment, not jest's copy.
      const reaper = `require(${JSON.stringify(registryModule)}).reapLeftovers().then((r) => console.log(JSON.stringify(r)))`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', reaper], { env: { ...process.env, AUTHTRAIL_PROCESS_REGISTRY: registry, TMPDIR: reaperTmp } });
      const reaped = JSON.parse(stdout.trim()) as { pid: number }[];

      expect(reaped.map((r) => r.pid).sort()).toEqual([outside, inside].sort());
      expect(existsSync(path.join(kept, 'data'))).toBe(true);
      expect(existsSync(temporary)).toBe(false);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
});
