// Constant-time secret handling shared by the secret-table strategies.
//
// Why HMAC both sides: `timingSafeEqual` needs equal-length inputs, and comparing lengths first
// would leak the secret's length. HMAC-SHA256 under a per-process random key maps any input to 32
// bytes, so the comparison time does not depend on the secret. The same digest is the map key of
// the tables: a lookup never branches on the raw secret's characters (no per-entry string compare),
// and the raw secret is not kept as a map key.
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SecretHasher {
  /** 32-byte HMAC of the secret under this hasher's random key, hex (usable as a map key). */
  digest(secret: string): string;
  /** Constant-time equality of two secrets (HMAC both sides, then `timingSafeEqual`). */
  equals(a: string, b: string): boolean;
}

export function createSecretHasher(key: Buffer = randomBytes(32)): SecretHasher {
  // A KeyObject, not the Buffer: Node 24 spends ~15 µs per createHmac telling a Buffer key from a
  // KeyObject (a failed brand check that throws internally); a KeyObject skips that.
  const hmacKey = createSecretKey(key);
  const mac = (value: string): Buffer => createHmac('sha256', hmacKey).update(value, 'utf8').digest();
  return {
    digest: (secret) => mac(secret).toString('hex'),
    equals: (a, b) => timingSafeEqual(mac(a), mac(b)),
  };
}
