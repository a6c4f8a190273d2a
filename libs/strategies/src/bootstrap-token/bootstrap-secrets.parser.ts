// Reads a YAML file of bootstrap-token Secret manifests (`---` separated, or a `kind: List`).
// `data` values are strict base64, `stringData` values are plain and win over `data` (as the
// API server merges them). Secrets of another type, with a wrong name or undecodable data are
// skipped with a warning (Kubernetes would not find them either); a YAML syntax error fails the
// whole file. Values are checked when a token is presented, as Kubernetes does, so an expired or
// unusable secret still yields its precise reason. Messages name documents, never values.
import { parseAllDocuments } from 'yaml';
import type { ParseResult } from '../shared/file-reloader';
import { parseRfc3339 } from '../shared/rfc3339';
import type { SecretHasher } from '../shared/secret-compare';
import { BOOTSTRAP_SECRET_PREFIX, BOOTSTRAP_SECRET_TYPE, BOOTSTRAP_TOKEN_ID_PATTERN, KEYS, bootstrapGroups } from './bootstrap-token.rules';

export type Expiration = { readonly kind: 'none' } | { readonly kind: 'at'; readonly at: Date } | { readonly kind: 'unparsable' };

export interface BootstrapSecret {
  /** The id from the Secret name `bootstrap-token-<id>`. */
  readonly tokenId: string;
  /** The `token-id` data key (Kubernetes requires it to equal the name's id). */
  readonly tokenIdField?: string;
  /** HMAC digest of `token-secret`, or undefined when the key is missing. */
  readonly secretDigest?: string;
  readonly expiration: Expiration;
  readonly usageAuthentication?: string;
  readonly extraGroups?: string;
  readonly document: number;
}

export type BootstrapSecretTable = ReadonlyMap<string, BootstrapSecret>;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseBootstrapSecrets(text: string, hasher: SecretHasher): ParseResult<BootstrapSecretTable> {
  let documents;
  try {
    documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true }) // only code and position are reported: messages quote the source;
  } catch {
    return { ok: false, errors: ['not a YAML document stream'] };
  }
  const list = Array.isArray(documents) ? documents : [documents];
  const errors: string[] = [];
  const manifests: Array<{ readonly document: number; readonly value: unknown }> = [];
  list.forEach((doc, index) => {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0];
      errors.push(`document ${index + 1}${pos ? `, line ${pos.line}, column ${pos.col}` : ''}: YAML ${error.code}`);
    }
    if (doc.errors.length > 0) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch {
      errors.push(`document ${index + 1}: YAML cannot be converted (aliases?)`);
      return;
    }
    if (value === null || value === undefined) return;
    if (isObject(value) && value['kind'] === 'List' && Array.isArray(value['items'])) {
      for (const item of value['items']) manifests.push({ document: index + 1, value: item });
    } else {
      manifests.push({ document: index + 1, value });
    }
  });
  if (errors.length > 0) return { ok: false, errors };

  const table = new Map<string, BootstrapSecret>();
  const warnings: string[] = [];
  manifests.forEach(({ document, value }, i) => {
    const where = `document ${document}${manifests.filter((m) => m.document === document).length > 1 ? ` item ${i}` : ''}`;
    const result = toSecret(value, document, hasher);
    if (result.kind === 'skip') {
      warnings.push(`${where}: ${result.problem}; skipped`);
      return;
    }
    if (table.has(result.secret.tokenId)) warnings.push(`${where}: duplicate Secret for token id ${result.secret.tokenId}; the later one wins`);
    for (const warning of result.warnings) warnings.push(`${where}: ${warning}`);
    table.set(result.secret.tokenId, result.secret);
  });
  return { ok: true, value: table, warnings };
}

type SecretResult =
  | { readonly kind: 'secret'; readonly secret: BootstrapSecret; readonly warnings: readonly string[] }
  | { readonly kind: 'skip'; readonly problem: string };

function toSecret(value: unknown, document: number, hasher: SecretHasher): SecretResult {
  if (!isObject(value)) return { kind: 'skip', problem: 'not a mapping' };
  if (value['kind'] !== 'Secret') return { kind: 'skip', problem: 'kind is not Secret' };
  if (value['type'] !== BOOTSTRAP_SECRET_TYPE) return { kind: 'skip', problem: `type is not ${BOOTSTRAP_SECRET_TYPE}` };
  const metadata = isObject(value['metadata']) ? value['metadata'] : {};
  const name = metadata['name'];
  if (typeof name !== 'string' || !name.startsWith(BOOTSTRAP_SECRET_PREFIX) || !BOOTSTRAP_TOKEN_ID_PATTERN.test(name.slice(BOOTSTRAP_SECRET_PREFIX.length))) {
    return { kind: 'skip', problem: `metadata.name is not ${BOOTSTRAP_SECRET_PREFIX}<[a-z0-9]{6}>` };
  }
  if (metadata['deletionTimestamp'] !== undefined && metadata['deletionTimestamp'] !== null) return { kind: 'skip', problem: 'Secret is being deleted' };

  const data = new Map<string, string>();
  const rawData = value['data'];
  if (rawData !== undefined && rawData !== null) {
    if (!isObject(rawData)) return { kind: 'skip', problem: 'data is not a mapping' };
    for (const [key, encoded] of Object.entries(rawData)) {
      if (typeof encoded !== 'string' || !STRICT_BASE64.test(encoded)) return { kind: 'skip', problem: `data.${key} is not valid base64` };
      const decoded = decodeUtf8(Buffer.from(encoded, 'base64'));
      if (decoded === undefined) return { kind: 'skip', problem: `data.${key} is not UTF-8` };
      data.set(key, decoded);
    }
  }
  const stringData = value['stringData'];
  if (stringData !== undefined && stringData !== null) {
    if (!isObject(stringData)) return { kind: 'skip', problem: 'stringData is not a mapping' };
    for (const [key, plain] of Object.entries(stringData)) {
      if (typeof plain !== 'string') return { kind: 'skip', problem: `stringData.${key} is not a string` };
      data.set(key, plain);
    }
  }
  const tokenId = name.slice(BOOTSTRAP_SECRET_PREFIX.length);
  const warnings: string[] = [];
  const secret = data.get(KEYS.tokenSecret);
  if (secret === undefined) warnings.push(`${KEYS.tokenSecret} is missing: no token will match`);
  const expirationText = data.get(KEYS.expiration);
  let expiration: Expiration = { kind: 'none' };
  if (expirationText !== undefined && expirationText !== '') {
    const at = parseRfc3339(expirationText);
    expiration = at ? { kind: 'at', at } : { kind: 'unparsable' };
    if (!at) warnings.push(`${KEYS.expiration} is not RFC 3339: the token is treated as expired`);
  }
  const extraGroups = data.get(KEYS.extraGroups);
  const groups = bootstrapGroups(extraGroups);
  if (!groups.ok) warnings.push(`${groups.problem}: the token will be refused`);
  const usage = data.get(KEYS.usageAuthentication);
  const tokenIdField = data.get(KEYS.tokenId);
  return {
    kind: 'secret',
    warnings,
    secret: {
      tokenId,
      ...(tokenIdField !== undefined ? { tokenIdField } : {}),
      ...(secret !== undefined ? { secretDigest: hasher.digest(secret) } : {}),
      expiration,
      ...(usage !== undefined ? { usageAuthentication: usage } : {}),
      ...(extraGroups !== undefined ? { extraGroups } : {}),
      document,
    },
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
