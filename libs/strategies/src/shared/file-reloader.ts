// Keeps a parsed view of a file current without a restart: `fs.watch` on the folder (editors and
// Kubernetes ConfigMap mounts replace files by rename, which a watch on the file itself misses),
// a short debounce (one save is several events), and a periodic `stat` as fallback for
// filesystems where watch events do not arrive (NFS, some container mounts).
//
// A broken file never replaces a good one: the last good table stays in force and the problems
// are logged. Parsers report problems by line and column only, so no secret reaches the log.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { StrategyLogger } from './strategy-deps';

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

export interface FileReloaderOptions<T> {
  readonly file: string;
  /** Strategy id, for log lines. */
  readonly label: string;
  readonly parse: (text: string) => ParseResult<T> | Promise<ParseResult<T>>;
  readonly logger: StrategyLogger;
  /** Period of the stat fallback. */
  readonly intervalMs: number;
  readonly debounceMs?: number;
  /** Set false to rely on the stat poll alone (filesystems without watch events; tests). */
  readonly watch?: boolean;
}

export interface ReloadingFile<T> {
  current(): T;
  /** Successful loads so far (1 after start). */
  readonly generation: number;
  close(): Promise<void>;
}

/** The first load failed: the strategy cannot start. Carries no file content. */
export class FileLoadError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'FileLoadError';
  }
}

export async function loadAndWatch<T>(options: FileReloaderOptions<T>): Promise<ReloadingFile<T>> {
  const { file, label, logger } = options;
  const initialText = await readText(file);
  if (initialText.kind === 'error') throw new FileLoadError(file, [initialText.message]);
  const initial = await options.parse(initialText.text);
  if (!initial.ok) throw new FileLoadError(file, initial.errors);
  for (const warning of initial.warnings) logger.warn({ strategy: label, file, problem: warning }, 'strategy file warning');

  let value = initial.value;
  let generation = 1;
  let lastDigest = digestOf(initialText.text);
  let lastStat = await statKey(file);
  let closed = false;
  let debounce: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const reload = async (): Promise<void> => {
    if (closed) return;
    const text = await readText(file);
    if (text.kind === 'error') {
      logger.warn({ strategy: label, file, problem: text.message }, 'strategy file unreadable; keeping the last good version');
      return;
    }
    const digest = digestOf(text.text);
    if (digest === lastDigest) return;
    const parsed = await options.parse(text.text);
    if (closed) return;
    lastDigest = digest;
    if (!parsed.ok) {
      logger.warn({ strategy: label, file, problems: parsed.errors }, 'strategy file invalid; keeping the last good version');
      return;
    }
    for (const warning of parsed.warnings) logger.warn({ strategy: label, file, problem: warning }, 'strategy file warning');
    value = parsed.value;
    generation++;
    logger.info({ strategy: label, file, generation }, 'strategy file reloaded');
  };
  // Reloads run one after another so an older read never overwrites a newer one.
  const schedule = (): void => {
    if (closed) return;
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      running = running.then(reload, reload);
    }, options.debounceMs ?? 50);
  };

  const watcher = options.watch === false ? undefined : watchFolderFor(file, schedule);
  const poll = setInterval(() => {
    void statKey(file).then((key) => {
      if (key !== lastStat) {
        lastStat = key;
        schedule();
      }
    });
  }, options.intervalMs);
  poll.unref();

  return {
    current: () => value,
    get generation() {
      return generation;
    },
    close: async () => {
      closed = true;
      if (debounce) clearTimeout(debounce);
      clearInterval(poll);
      watcher?.close();
      await running;
    },
  };
}

type TextResult = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'error'; readonly message: string };

async function readText(file: string): Promise<TextResult> {
  try {
    return { kind: 'text', text: await readFile(file, 'utf8') };
  } catch (error) {
    return { kind: 'error', message: `cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

async function statKey(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A watch on the file's folder (rename-replace safe); undefined when watching is unavailable. */
function watchFolderFor(file: string, onChange: () => void): FSWatcher | undefined {
  const name = basename(file);
  try {
    const watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed === null || String(changed) === name) onChange();
    });
    watcher.on('error', () => undefined);
    return watcher;
  } catch {
    return undefined; // the stat poll still works
  }
}
