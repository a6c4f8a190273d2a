// What a container runs when Kubernetes starts the image: the final stage's ENTRYPOINT and CMD,
// read from the Dockerfile the image is built from.
//
// Kubernetes' rule (docs "Define a Command and Arguments for a Container"): `command` replaces
// the image's ENTRYPOINT (and its CMD is then dropped), `args` replace CMD. An image that declares
// no ENTRYPOINT of its own inherits its base image's (node:*: docker-entrypoint.sh, which turns a
// first argument starting with `-` into `node -…`): issue #18's `node --config …`, exit 9.

export interface ImageProcess {
  /** The `FROM` of the final stage. */
  readonly base: string;
  /** Undefined: not declared in the final stage (inherited from the base image). */
  readonly entrypoint?: readonly string[];
  /** Undefined: not declared; Docker resets an inherited CMD to [] when the stage sets ENTRYPOINT. */
  readonly cmd?: readonly string[];
}

/** Instructions of a Dockerfile: continuation lines joined, comments and blank lines dropped. */
function instructions(text: string): { readonly keyword: string; readonly rest: string }[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const space = line.search(/\s/);
      return space < 0 ? { keyword: line.toUpperCase(), rest: '' } : { keyword: line.slice(0, space).toUpperCase(), rest: line.slice(space).trim() };
    });
}

/** Exec form (a JSON array of strings) as is; shell form runs under /bin/sh -c. */
function commandForm(rest: string): readonly string[] {
  if (rest.startsWith('[')) {
    const parsed: unknown = JSON.parse(rest);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed as string[];
    throw new Error(`not a JSON array of strings: ${rest}`);
  }
  return ['/bin/sh', '-c', rest];
}

export function parseDockerfile(text: string): ImageProcess {
  const all = instructions(text);
  const lastFrom = all.map((i) => i.keyword).lastIndexOf('FROM');
  const from = all[lastFrom];
  if (!from) throw new Error('no FROM instruction');
  // `FROM [--platform=…] image [AS name]`
  const base = from.rest.split(/\s+/).find((word) => !word.startsWith('--')) ?? '';
  let entrypoint: readonly string[] | undefined;
  let cmd: readonly string[] | undefined;
  for (const { keyword, rest } of all.slice(lastFrom + 1)) {
    if (keyword === 'ENTRYPOINT') entrypoint = commandForm(rest);
    if (keyword === 'CMD') cmd = commandForm(rest);
  }
  return { base, ...(entrypoint ? { entrypoint } : {}), ...(cmd ? { cmd } : {}) };
}
