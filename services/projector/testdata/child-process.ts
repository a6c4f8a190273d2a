// Spawning tsx children for the projector's process-level specs, and reading their output lines.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.join(__dirname, '../../..');

export interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  readonly output: string[];
  /** Resolves with the first output line matching `pattern` (seen before or after the call). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/**
 * `node --import tsx <script>`: ONE process, so a signal sent to it reaches the code under test
 * (the `tsx` binary would put a wrapper process in between, and SIGKILL would only kill that).
 */
export function spawnTsx(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  const output: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void; from: number }[] = [];
  let partial = '';
  const onData = (chunk: Buffer): void => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      output.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return {
    process: child,
    output,
    exited,
    waitForLine(pattern, timeoutMs = 60_000) {
      const seen = output.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${output.slice(-20).join('\n')}`)), timeoutMs);
        waiters.push({ pattern, from: output.length, resolve: (line) => { clearTimeout(timer); resolve(line); } });
        void exited.then((code) => { clearTimeout(timer); reject(new Error(`child exited (${String(code)}) before a line matching ${pattern}; output:\n${output.slice(-20).join('\n')}`)); });
      });
    },
  };
}
