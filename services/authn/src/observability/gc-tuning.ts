// V8's garbage collector tuned for authn's process (issue #19). Two flags, each set at start
// unless the command line names it (either spelling, or its `--no-` form):
//
// - Heap growth (docs/authn.md "Session 18"). authn allocates fast (≈ 40 KB an uncached JWT
//   decision) and keeps a small old generation (≈ 40 MB). With V8's own growing factor its old
//   generation's limit sits about one new space above the live size, so under load V8 ran a full
//   mark-compact every 0.5–1 s. Growing the heap 4× its live size between full collections
//   (`--heap-growing-percent=300`): 3,400–4,100 → 4,400–5,400 uncached TokenReviews/s, for a
//   heap that may reach ≈ 4× its live size (≈ 160 MB here, within the manifests' 512 MiB limit).
// - No allocation-site pretenuring (docs/authn.md "Session 23"). When objects made at one
//   allocation site once survived (held while 10,000 revocations loaded from the control topic),
//   V8 allocates that site's later objects straight in the old generation. A decision's objects live for one request: allocated old, they die old, and every
//   young object they point to survives its scavenge too — a decision's whole graph promoted,
//   18 % of what a bench process allocated, until the next full collection.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 300;

interface GcFlag {
  readonly flag: string;
  /** The flag as a command line may name it: any spelling, a value, or its negation. */
  readonly given: RegExp;
}

const GC_FLAGS: readonly GcFlag[] = [
  { flag: `--heap-growing-percent=${HEAP_GROWING_PERCENT}`, given: /^--heap[-_]growing[-_]percent(=|$)/ },
  { flag: '--no-allocation-site-pretenuring', given: /^--(no[-_])?allocation[-_]site[-_]pretenuring$/ },
];

export interface GcTuningOptions {
  /** Node's own command-line flags (`process.execArgv`). */
  readonly execArgv?: readonly string[];
  readonly setFlags?: (flags: string) => void;
}

/**
 * Sets authn's V8 collector flags for this process, each unless `node …` named it on the command
 * line (`--heap-growing-percent=0`, `--allocation-site-pretenuring` restore V8's own). V8 reads
 * them at every collection, so setting them at start applies from the next one. Returns the flags
 * it set.
 */
export function tuneGarbageCollection(options: GcTuningOptions = {}): readonly string[] {
  const execArgv = options.execArgv ?? process.execArgv;
  const setFlags = options.setFlags ?? setFlagsFromString;
  const set = GC_FLAGS.filter(({ given }) => !execArgv.some((flag) => given.test(flag))).map(({ flag }) => flag);
  for (const flag of set) setFlags(flag);
  return set;
}
