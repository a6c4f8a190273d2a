// Parses kube's `--token-auth-file`: `token,user,uid[,"g1,g2"[,expiry]]` (the 5th column, an
// RFC 3339 expiry, is authtrail's addition). Rules as in Kubernetes' tokenfile package: at least
// three columns, an empty token is skipped with a warning, a duplicate token warns and the later
// line wins. Tokens are stored by their HMAC digest only (the service's fingerprint, or an HMAC
// under the strategy's own key). Problems name lines, never tokens.
import { parseKubeCsv } from '../csv/kube-csv.parser';
import type { ParseResult } from '../shared/file-reloader';
import { parseRfc3339 } from '../shared/rfc3339';
import type { SecretHasher } from '../shared/secret-compare';

export interface StaticTokenEntry {
  readonly digest: string;
  readonly username: string;
  readonly uid: string;
  readonly groups: readonly string[];
  readonly expiresAt?: Date;
  readonly line: number;
}

export type TokenTable = ReadonlyMap<string, StaticTokenEntry>;

export function parseTokenFile(text: string, hasher: Pick<SecretHasher, 'digest'>): ParseResult<TokenTable> {
  const csv = parseKubeCsv(text);
  if (!csv.ok) return { ok: false, errors: [csv.error] };
  const table = new Map<string, StaticTokenEntry>();
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const { line, fields } of csv.records) {
    if (fields.length < 3) {
      errors.push(`line ${line}: expected at least 3 columns (token, user name, uid), found ${fields.length}`);
      continue;
    }
    const [token, username, uid, groups, expiry] = fields as [string, string, string, string?, string?];
    if (token === '') {
      warnings.push(`line ${line}: empty token skipped`);
      continue;
    }
    if (username === '') {
      errors.push(`line ${line}: empty user name`);
      continue;
    }
    let expiresAt: Date | undefined;
    if (expiry !== undefined && expiry.trim() !== '') {
      expiresAt = parseRfc3339(expiry);
      if (!expiresAt) {
        errors.push(`line ${line}: expiry (column 5) is not an RFC 3339 timestamp`);
        continue;
      }
    }
    if (fields.length > 5) warnings.push(`line ${line}: columns after the 5th are ignored`);
    const digest = hasher.digest(token);
    const previous = table.get(digest);
    if (previous) warnings.push(`line ${line}: duplicate token (also on line ${previous.line}); line ${line} wins`);
    table.set(digest, {
      digest,
      username,
      uid,
      groups: (groups ?? '').split(',').filter((g) => g !== ''),
      ...(expiresAt ? { expiresAt } : {}),
      line,
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: table, warnings };
}
