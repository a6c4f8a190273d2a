// Every file a config names, with the key path that names it: the listener's certificate and
// key, the strategies' token/password/CA/key files, the policy, the AuthenticationConfiguration,
// the siem section's CA and certificate files. Each is opened and read as the service would at
// boot, so a missing or unreadable one is reported before anything starts, by key:
// `authn.https.certFile: /etc/authtrail/tls.crt: no such file`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AuthtrailConfig } from '@authtrail/config';

export interface ReferencedFile {
  /** `authn.strategies[0].tokenFile`, `authn.https.certFile`, `siem.sinks[1].tls.caFile`. */
  readonly keyPath: string;
  /** Absolute. */
  readonly file: string;
}

/** Keys that name a file (DESIGN §8: keys ending in `File` or `Files` are paths). */
const FILE_KEY = /(File|Files)$/;

/** Walks the loaded config for file keys; relative paths (the open siem section) resolve against the config's folder. */
export function referencedFiles(config: AuthtrailConfig): readonly ReferencedFile[] {
  const found: ReferencedFile[] = [];
  const visit = (value: unknown, keyPath: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${keyPath}[${index}]`));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = keyPath === '' ? key : `${keyPath}.${key}`;
      if (FILE_KEY.test(key) && typeof child === 'string') found.push({ keyPath: childPath, file: path.resolve(config.baseDir, child) });
      else if (FILE_KEY.test(key) && Array.isArray(child)) child.forEach((f, i) => typeof f === 'string' && found.push({ keyPath: `${childPath}[${i}]`, file: path.resolve(config.baseDir, f) }));
      else visit(child, childPath);
    }
  };
  const { authn, graphql, policy, siem } = config;
  visit({ authn, graphql, siem }, '');
  if (authn.authenticationConfiguration) found.push({ keyPath: 'authn.authenticationConfiguration', file: authn.authenticationConfiguration });
  if (policy.file) found.push({ keyPath: 'policy.file', file: policy.file });
  return found;
}

/** The file's text, or the reason it cannot be read in words (never its content). */
export function readReferenced(file: string): { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: string } {
  try {
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (error) {
    return { ok: false, problem: unreadable(error) };
  }
}

function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'a parent of it is not a directory';
    default:
      return code ? `cannot be read (${code})` : 'cannot be read';
  }
}

/** One line per file that cannot be opened: `<key path>: <file>: <reason>`. */
export function unreadableFiles(config: AuthtrailConfig): readonly string[] {
  return referencedFiles(config).flatMap(({ keyPath, file }) => {
    const read = readReferenced(file);
    return read.ok ? [] : [`${keyPath}: ${file}: ${read.problem}`];
  });
}
