// Parses the basic-auth CSV (kube's former `--basic-auth-file`): `password,user,uid[,"g1,g2"]`.
// At least three columns; a duplicate user warns and the later line wins. Problems name lines,
// never passwords. Also prepares the dummy hash for unknown users (see password-hash.ts).
import { parseKubeCsv } from '../csv/kube-csv.parser';
import type { ParseResult } from '../shared/file-reloader';
import type { SecretHasher } from '../shared/secret-compare';
import { dummyLike, parsePasswordColumn, type PasswordHash } from './password-hash';

export interface BasicAuthUser {
  readonly username: string;
  readonly uid: string;
  readonly groups: readonly string[];
  readonly password: PasswordHash;
  readonly line: number;
}

export interface PasswordTable {
  readonly users: ReadonlyMap<string, BasicAuthUser>;
  /** Verified for unknown users: same scheme and cost as the file's first hashed entry. */
  readonly dummy: PasswordHash;
}

/** Synchronous part: rows to users. Total on any input. */
export function parsePasswordRows(text: string, hasher: SecretHasher): ParseResult<ReadonlyMap<string, BasicAuthUser>> {
  const csv = parseKubeCsv(text);
  if (!csv.ok) return { ok: false, errors: [csv.error] };
  const users = new Map<string, BasicAuthUser>();
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const { line, fields } of csv.records) {
    if (fields.length < 3) {
      errors.push(`line ${line}: expected at least 3 columns (password, user name, uid), found ${fields.length}`);
      continue;
    }
    const [column, username, uid, groups] = fields as [string, string, string, string?];
    if (username === '') {
      errors.push(`line ${line}: empty user name`);
      continue;
    }
    const password = parsePasswordColumn(column, hasher);
    if (!password.ok) {
      errors.push(`line ${line}: ${password.problem}`);
      continue;
    }
    if (fields.length > 4) warnings.push(`line ${line}: columns after the 4th are ignored`);
    if (users.has(username)) warnings.push(`line ${line}: duplicate user (also on line ${users.get(username)?.line}); line ${line} wins`);
    users.set(username, { username, uid, groups: (groups ?? '').split(',').filter((g) => g !== ''), password: password.hash, line });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: users, warnings };
}

export async function parsePasswordFile(text: string, hasher: SecretHasher): Promise<ParseResult<PasswordTable>> {
  const rows = parsePasswordRows(text, hasher);
  if (!rows.ok) return rows;
  const model = [...rows.value.values()].find((u) => u.password.scheme !== 'plaintext')?.password ?? { scheme: 'plaintext' as const, digest: '' };
  const dummy = await dummyLike(model, hasher);
  const warnings = [...rows.value.values()].some((u) => u.password.scheme === 'plaintext')
    ? [...rows.warnings, 'plaintext passwords present (prefer argon2id, scrypt or bcrypt)']
    : rows.warnings;
  return { ok: true, value: { users: rows.value, dummy }, warnings };
}
