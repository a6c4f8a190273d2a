// Test fixture: a temp folder per spec file, removed after it.
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StrategyLogger } from './strategy-deps';

export function tempFolder(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `authtrail-${prefix}-`));
  let n = 0;
  return {
    dir,
    /** Writes a new file and returns its path. */
    file: (content: string, name = `file-${n++}`) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    /** Replaces a file atomically, as editors and ConfigMap mounts do. */
    replace: (path: string, content: string) => {
      const next = `${path}.tmp-${n++}`;
      writeFileSync(next, content);
      renameSync(next, path);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A logger that keeps every line, to assert on what was logged (and that no secret was). */
export function recordingLogger(): StrategyLogger & { readonly lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (obj: object, msg?: string) => void lines.push(JSON.stringify({ level, ...obj, msg }));
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

/** Polls until `check` holds (bounded: `attempts` × `intervalMs`). */
export async function eventually(check: () => Promise<boolean> | boolean, attempts = 100, intervalMs = 50): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}

/** The outcome as JSON without the one field meant to carry the secret (`secretForFingerprint`). */
export function publicView(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'secretForFingerprint' ? undefined : v));
}
