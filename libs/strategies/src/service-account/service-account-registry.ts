// The optional list of existing service accounts (stand-in for kube-apiserver's
// --service-account-lookup against etcd): a token for an account that is not listed, or whose
// uid differs (deleted and re-created under the same name), is refused. Parsing is pure.
import { parse } from 'yaml';
import type { ParseResult } from '../shared/file-reloader';

export interface ServiceAccountRegistry {
  /** uid of `<namespace>/<name>`, if the account exists. */
  uidOf(namespace: string, name: string): string | undefined;
  readonly size: number;
}

/** YAML or JSON (JSON is YAML): a list of `{namespace, name, uid}`, or `{serviceAccounts: [...]}`. */
export function parseServiceAccountRegistry(text: string): ParseResult<ServiceAccountRegistry> {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    const line = (error as { linePos?: readonly { line: number }[] }).linePos?.[0]?.line;
    return { ok: false, errors: [`not valid YAML${line === undefined ? '' : ` (line ${line})`}`] };
  }
  const list = Array.isArray(document) ? document : (document as { serviceAccounts?: unknown } | null)?.serviceAccounts;
  if (!Array.isArray(list)) return { ok: false, errors: ['expected a list of {namespace, name, uid}'] };
  const uids = new Map<string, string>();
  const errors: string[] = [];
  for (const [index, entry] of list.entries()) {
    const { namespace, name, uid } = (entry ?? {}) as Record<string, unknown>;
    if (![namespace, name, uid].every((v) => typeof v === 'string' && v.length > 0)) {
      errors.push(`item ${index}: namespace, name and uid must be non-empty strings`);
      continue;
    }
    const key = `${namespace as string}/${name as string}`;
    if (uids.has(key)) errors.push(`item ${index}: ${key} is listed twice`);
    uids.set(key, uid as string);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { uidOf: (namespace, name) => uids.get(`${namespace}/${name}`), size: uids.size }, warnings: [] };
}
