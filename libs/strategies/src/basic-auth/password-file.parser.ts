// Parses the basic-auth CSV (kube's former `--basic-auth-file`): `password,user,uid[,"g1,g2"]`.
// At least three columns; a duplicate user warns and the later line wins. Problems name lines,
// never passwords. Also prepares the dummy hashes for unknown users (see `dummyFor` below).
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
  /**
   * The hash an unknown user name is verified against. Why not one dummy: a file that mixes
   * schemes and costs (argon2id, scrypt, bcrypt, plaintext) would make every unknown name cost
   * the same while known names cost their own, so timing would tell which names exist. Instead a
   * keyed hash of the name picks one of the file's own entries' parameters: stable per name, and
   * unknown names are spread over the schemes and costs exactly as the real users are.
   */
  dummyFor(username: string): PasswordHash;
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
  const dummyFor = await dummiesLike([...rows.value.values()].map((u) => u.password), hasher);
  const warnings = [...rows.value.values()].some((u) => u.password.scheme === 'plaintext')
    ? [...rows.warnings, 'plaintext passwords present (prefer argon2id, scrypt or bcrypt)']
    : rows.warnings;
  return { ok: true, value: { users: rows.value, dummyFor }, warnings };
}

/** One dummy per distinct scheme and cost, drawn for a name with the weight of the users that have it. */
async function dummiesLike(stored: readonly PasswordHash[], hasher: SecretHasher): Promise<(username: string) => PasswordHash> {
  const dummies = new Map<string, Promise<PasswordHash>>();
  const slots = (stored.length > 0 ? stored : [{ scheme: 'plaintext' as const, digest: '' }]).map((hash) => {
    const cost = costOf(hash);
    if (!dummies.has(cost)) dummies.set(cost, dummyLike(hash, hasher));
    return cost;
  });
  const resolved = new Map<string, PasswordHash>();
  for (const [cost, dummy] of dummies) resolved.set(cost, await dummy);
  const pool = slots.map((cost) => resolved.get(cost) as PasswordHash);
  return (username) => pool[Number.parseInt(hasher.digest(`basic-auth dummy:${username}`).slice(0, 12), 16) % pool.length] as PasswordHash;
}

/** What makes two hashes cost the same to verify. */
function costOf(hash: PasswordHash): string {
  switch (hash.scheme) {
    case 'argon2id':
      return `argon2id:${hash.m}:${hash.t}:${hash.p}`;
    case 'scrypt':
      return `scrypt:${hash.ln}:${hash.r}:${hash.p}:${hash.hash.length}`;
    case 'bcrypt':
      return `bcrypt:${hash.cost}`;
    case 'plaintext':
      return 'plaintext';
    default: {
      const unreachable: never = hash;
      return unreachable;
    }
  }
}
