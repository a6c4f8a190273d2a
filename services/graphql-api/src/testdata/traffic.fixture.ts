// Query tests read a read model filled by the production path: planned requests → the real authn
// app → decision events → the real projector → Postgres. This service may not import authn or
// the projector (module boundaries), so the work is done by tools/cli's fill-read-model script
// in a child process; this file writes its inputs (config, token and password files, keys: all
// random per run, nothing secret is committed) and its plan, and spawns it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFingerprinter, type Fingerprinter } from '@authtrail/events';
import type { FillResult, TrafficPlan } from '@authtrail/testing';

const ROOT = join(__dirname, '../../../..');
const FILL_SCRIPT = join(ROOT, 'tools/cli/src/testdata/fill-read-model.ts');

/** A directory with what authn needs besides its strategies' files. */
export interface TrafficEnvironment {
  readonly dir: string;
  /** Same keys as the authn of the plan: what the API under test must be configured with. */
  readonly fingerprinter: Fingerprinter;
  readonly keyConfig: { readonly id: string; readonly secret: string };
  /** Writes `name` into the directory; returns its path. */
  file(name: string, content: string): string;
  /** The authtrail config file for the plan, with these strategy entries (YAML flow maps). */
  writeConfig(strategies: readonly string[], extra?: readonly string[]): string;
  close(): void;
}

export function createTrafficEnvironment(instance = 'authn-test'): TrafficEnvironment {
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-traffic-'));
  const keyConfig = { id: 'test', secret: randomBytes(32).toString('base64') };
  const fingerprinter = createFingerprinter({ keys: [{ id: keyConfig.id, secret: Buffer.from(keyConfig.secret, 'base64') }] });
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  return {
    dir,
    fingerprinter,
    keyConfig,
    file,
    writeConfig(strategies, extra = []) {
      return file(
        'authtrail.yaml',
        [
          `dataDir: ${JSON.stringify(join(dir, 'data'))}`,
          'authn:',
          `  instance: ${instance}`,
          '  http: { port: 0, host: 127.0.0.1 }',
          '  trustedProxies: [127.0.0.1/32]',
          // No cache: every planned request is decided by the strategies at its own time.
          '  cache: { successTTL: 0s, failureTTL: 0s }',
          '  strategies:',
          ...strategies.map((s) => `    - ${s}`),
          'fingerprint:',
          `  keys: [{ id: ${keyConfig.id}, secret: "${keyConfig.secret}" }]`,
          'log: { level: warn }',
          ...extra,
        ].join('\n') + '\n',
      );
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs the plan through tools/cli's fill-read-model into `databaseUrl`. */
export function fillReadModel(databaseUrl: string, plan: TrafficPlan, environment: TrafficEnvironment): Promise<FillResult> {
  const planFile = environment.file(`plan-${randomBytes(4).toString('hex')}.json`, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', FILL_SCRIPT, '--database-url', databaseUrl, '--plan', planFile],
      { cwd: ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`fill-read-model failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as FillResult);
      },
    );
  });
}
