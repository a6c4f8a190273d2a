// The password column of the basic-auth CSV: a PHC-format hash or plaintext.
//
// Accepted (anything else starting with `$<id>$` is refused rather than taken as plaintext):
// argon2id and scrypt strings contain commas: quote the CSV column (`"$argon2id$v=19$m=...",alice,1`).
//   $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>   m ≤ 262144 (256 MiB), t ≤ 10, p ≤ 16
//   $scrypt$ln=<log2 N>,r=<block>,p=<par>$<salt>$<hash>         ln 1..20, r 1..32, p 1..16, 128·N·r ≤ 256 MiB,
//                                                                salt/hash in unpadded standard base64, hash 16..64 bytes
//   $2a$ / $2b$ / $2y$<cost>$<53 chars>                          bcrypt, cost 4..15 (only the first 72 bytes count)
// The bounds keep one malicious or mistyped line from costing gigabytes or minutes per request.
// Plaintext is kept as an HMAC digest and compared in constant time; the credential reports
// `passwordStorage: plaintext` so policy can flag it.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { hash as bcryptHash, verify as bcryptVerify } from '@node-rs/bcrypt';
import type { SecretHasher } from '../shared/secret-compare';

export type PasswordStorage = 'argon2id' | 'scrypt' | 'bcrypt' | 'plaintext';

export type PasswordHash =
  | { readonly scheme: 'argon2id'; readonly phc: string; readonly m: number; readonly t: number; readonly p: number }
  | { readonly scheme: 'scrypt'; readonly ln: number; readonly r: number; readonly p: number; readonly salt: Buffer; readonly hash: Buffer }
  | { readonly scheme: 'bcrypt'; readonly phc: string; readonly cost: number }
  | { readonly scheme: 'plaintext'; readonly digest: string };

export type PasswordHashResult = { readonly ok: true; readonly hash: PasswordHash } | { readonly ok: false; readonly problem: string };

const ARGON2ID = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,88})\$([A-Za-z0-9+/]{22,172})$/;
const SCRYPT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,88})\$([A-Za-z0-9+/]{22,88})$/;
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const PHC_LIKE = /^\$[a-z0-9-]+\$/;
const MAX_MEMORY = 256 * 1024 * 1024;
// argon2id and scrypt PHC strings contain commas, so the CSV column must be quoted.
const QUOTE_HINT = ' (PHC strings contain commas: quote the column, "$argon2id$...")';

export function parsePasswordColumn(column: string, hasher: SecretHasher): PasswordHashResult {
  if (column.startsWith('$argon2id$')) {
    const m = ARGON2ID.exec(column);
    if (!m) return { ok: false, problem: `argon2id hash is not $argon2id$v=19$m=..,t=..,p=..$salt$hash${QUOTE_HINT}` };
    const [mem, t, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mem < 8 * p || mem > 262_144 || t < 1 || t > 10 || p < 1 || p > 16) return { ok: false, problem: 'argon2id parameters out of bounds (m ≤ 262144, t 1..10, p 1..16)' };
    return { ok: true, hash: { scheme: 'argon2id', phc: column, m: mem, t, p } };
  }
  if (column.startsWith('$scrypt$')) {
    const m = SCRYPT.exec(column);
    if (!m) return { ok: false, problem: `scrypt hash is not $scrypt$ln=..,r=..,p=..$salt$hash${QUOTE_HINT}` };
    const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (ln < 1 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16 || 128 * 2 ** ln * r > MAX_MEMORY) {
      return { ok: false, problem: 'scrypt parameters out of bounds (ln 1..20, r 1..32, p 1..16, 128·N·r ≤ 256 MiB)' };
    }
    const salt = Buffer.from(m[4] ?? '', 'base64');
    const hash = Buffer.from(m[5] ?? '', 'base64');
    if (hash.length < 16 || hash.length > 64) return { ok: false, problem: 'scrypt hash length must be 16..64 bytes' };
    return { ok: true, hash: { scheme: 'scrypt', ln, r, p, salt, hash } };
  }
  if (/^\$2[abxy]\$/.test(column)) {
    const m = BCRYPT.exec(column);
    if (!m) return { ok: false, problem: 'bcrypt hash is not $2a$/$2b$/$2y$<cost>$<53 characters>' };
    const cost = Number(m[1]);
    if (cost < 4 || cost > 15) return { ok: false, problem: 'bcrypt cost out of bounds (4..15)' };
    return { ok: true, hash: { scheme: 'bcrypt', phc: column, cost } };
  }
  if (PHC_LIKE.test(column)) return { ok: false, problem: 'unsupported hash scheme (argon2id, scrypt, bcrypt or plaintext)' };
  if (column === '') return { ok: false, problem: 'empty password' };
  return { ok: true, hash: { scheme: 'plaintext', digest: hasher.digest(column) } };
}

/** Constant-time for plaintext; the KDF schemes compare their outputs in constant time. */
export async function verifyPassword(stored: PasswordHash, password: string, hasher: SecretHasher): Promise<boolean> {
  switch (stored.scheme) {
    case 'plaintext':
      return timingSafeEqual(Buffer.from(stored.digest, 'hex'), Buffer.from(hasher.digest(password), 'hex'));
    case 'argon2id':
      return argon2Verify(stored.phc, password);
    case 'bcrypt':
      return bcryptVerify(password, stored.phc);
    case 'scrypt': {
      const derived = await scryptAsync(password, stored.salt, stored.hash.length, stored.ln, stored.r, stored.p);
      return timingSafeEqual(derived, stored.hash);
    }
    default: {
      const _exhaustive: never = stored;
      return _exhaustive;
    }
  }
}

/**
 * A hash of a random password with the same scheme and cost: an unknown user is verified
 * against it, so "no such user" takes as long as "wrong password" (no user enumeration by timing).
 */
export async function dummyLike(stored: PasswordHash, hasher: SecretHasher): Promise<PasswordHash> {
  const random = randomBytes(24).toString('base64');
  switch (stored.scheme) {
    case 'plaintext':
      return { scheme: 'plaintext', digest: hasher.digest(random) };
    case 'argon2id':
      return { ...stored, phc: await argon2Hash(random, { memoryCost: stored.m, timeCost: stored.t, parallelism: stored.p }) };
    case 'bcrypt':
      return { ...stored, phc: await bcryptHash(random, stored.cost) };
    case 'scrypt': {
      const salt = randomBytes(stored.salt.length);
      return { ...stored, salt, hash: await scryptAsync(random, salt, stored.hash.length, stored.ln, stored.r, stored.p) };
    }
    default: {
      const _exhaustive: never = stored;
      return _exhaustive;
    }
  }
}

/** `$scrypt$ln=..,r=..,p=..$salt$hash` for a password (used by tests and `docs/strategies.md`). */
export async function scryptPhc(password: string, options: { readonly ln?: number; readonly r?: number; readonly p?: number } = {}): Promise<string> {
  const { ln = 14, r = 8, p = 1 } = options;
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, ln, r, p);
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(hash)}`;
}

function scryptAsync(password: string, salt: Buffer, length: number, ln: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, length, { N: 2 ** ln, r, p, maxmem: MAX_MEMORY + 16 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
