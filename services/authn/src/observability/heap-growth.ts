// V8's heap growth for authn's process (issue #19, docs/authn.md "Session 18"). authn allocates
// fast (≈ 40 KB an uncached JWT decision) and keeps a small old generation (≈ 40 MB). With V8's
// own growing factor its old generation's limit sits about one new space above the live size, so
// under load V8 ran a full mark-compact every 0.5–1 s (14–20 in 15 s of uncached TokenReviews),
// with incremental marking's write barrier on for much of the time and 35–48 µs a request of GC
// helper threads on the core the load shares. Growing the heap 4× its live size between full
// collections (`--heap-growing-percent=300`): 6 in 15 s, 3,400–4,100 → 4,400–5,400 uncached
// TokenReviews/s, p99 23–31 → 10–12 ms, for a heap that may reach ≈ 4× its live size (≈ 160 MB here,
// within the manifests' 512 MiB limit; V8 grows less as it nears its heap limit).
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 300;

const GIVEN_ON_COMMAND_LINE = /^--heap[-_]growing[-_]percent(=|$)/;

export interface HeapGrowthOptions {
  /** Node's own command-line flags (`process.execArgv`). */
  readonly execArgv?: readonly string[];
  readonly setFlags?: (flags: string) => void;
}

/**
 * Sets V8's heap growing factor for this process, unless `node --heap-growing-percent=N` named
 * one (`=0` restores V8's own). V8 reads the flag at every collection, so setting it at start
 * applies from the next one. Returns whether it set it.
 */
export function tuneHeapGrowth(options: HeapGrowthOptions = {}): boolean {
  const execArgv = options.execArgv ?? process.execArgv;
  if (execArgv.some((flag) => GIVEN_ON_COMMAND_LINE.test(flag))) return false;
  (options.setFlags ?? setFlagsFromString)(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
