// Credential fingerprints (DESIGN §4): `hmac-sha256:<keyId>:<hex>` of the raw secret. The same
// secret always gives the same fingerprint, so usage can be counted, revoked and looked up
// without the secret ever being stored.
//
// Why HMAC under a secret key and not a plain SHA-256: many credentials have little entropy
// (passwords, short static tokens). A plain hash of them in Kafka, Postgres or a SIEM is a
// dictionary attack away from the secret; with a key the attacker also needs the key, which
// never leaves the authtrail processes.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { hmacSha256, type HmacSha256 } from './hmac-sha256';

export interface FingerprintKey {
  /** Names the key inside fingerprints; `[A-Za-z0-9._-]{1,64}`. */
  readonly id: string;
  /** The key bytes (decode base64 config values first); at least 32 bytes. */
  readonly secret: Uint8Array;
}

export interface FingerprinterOptions {
  /** The FIRST key writes new fingerprints; the others are still recognised (rotation). */
  readonly keys: readonly FingerprintKey[];
}

export interface Fingerprinter {
  /** `hmac-sha256:<firstKeyId>:<hex>` of the raw secret. */
  fingerprint(rawSecret: string | Uint8Array): string;
  /** Whether `fingerprint` is the fingerprint of `rawSecret` under the key it names (constant-time). */
  matches(rawSecret: string | Uint8Array, fingerprint: string): boolean;
  /** The fingerprint under every configured key, first key first: look-ups during a rotation. */
  candidates(rawSecret: string | Uint8Array): readonly string[];
  /** `hmac-sha256-username:<firstKeyId>:<hex>` for `claimedUsernameHash`. */
  usernameHash(username: string): string;
  /** The username hash under every configured key, first key first. */
  usernameHashCandidates(username: string): readonly string[];
  readonly keyIds: readonly string[];
}

export type FingerprintKeyErrorCode = 'no_keys' | 'invalid_key_id' | 'duplicate_key_id' | 'key_too_short';

/** Bad key configuration. The message names the key id and the problem, never the key. */
export class FingerprintKeyError extends Error {
  override readonly name = 'FingerprintKeyError';
  constructor(
    readonly code: FingerprintKeyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const MIN_FINGERPRINT_KEY_BYTES = 32;
const KEY_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const FINGERPRINT_RE = /^hmac-sha256:([A-Za-z0-9._-]{1,64}):([0-9a-f]{64})$/;
const FINGERPRINT_PREFIX = 'hmac-sha256';
const USERNAME_HASH_PREFIX = 'hmac-sha256-username';
// Domain separation: usernames are hashed under a key derived from the configured one, so a
// username that happens to equal some token never gets that token's fingerprint (and a
// username hash can never be looked up as a credential).
const USERNAME_KEY_LABEL = 'authtrail/claimed-username/v1';

interface PreparedKey {
  readonly id: string;
  // Key material lives in KeyObjects and closures: it does not show up in util.inspect, logs or
  // error dumps of this object.
  readonly credential: HmacSha256;
  readonly username: HmacSha256;
}

export function createFingerprinter(options: FingerprinterOptions): Fingerprinter {
  const keys = prepareKeys(options.keys);
  const byId = new Map(keys.map((key) => [key.id, key]));
  const writer = keys[0];

  const fingerprintWith = (key: PreparedKey, raw: string | Uint8Array) => `${FINGERPRINT_PREFIX}:${key.id}:${key.credential.hex(raw)}`;
  const usernameHashWith = (key: PreparedKey, name: string) => `${USERNAME_HASH_PREFIX}:${key.id}:${key.username.hex(name)}`;

  return {
    keyIds: keys.map((key) => key.id),
    fingerprint: (raw) => fingerprintWith(writer, raw),
    candidates: (raw) => keys.map((key) => fingerprintWith(key, raw)),
    usernameHash: (name) => usernameHashWith(writer, name),
    usernameHashCandidates: (name) => keys.map((key) => usernameHashWith(key, name)),
    matches: (raw, fingerprint) => {
      const parsed = FINGERPRINT_RE.exec(fingerprint);
      const key = parsed ? byId.get(parsed[1]) : undefined;
      if (!parsed || !key) return false;
      const expected = key.credential.digest(raw);
      // Constant-time: how many leading bytes agree must not show in the response time.
      return timingSafeEqual(expected, Buffer.from(parsed[2], 'hex'));
    },
  };
}

function prepareKeys(keys: readonly FingerprintKey[]): readonly PreparedKey[] {
  if (keys.length === 0) throw new FingerprintKeyError('no_keys', 'at least one fingerprint key is required');
  const seen = new Set<string>();
  return keys.map((key, index) => {
    if (typeof key.id !== 'string' || !KEY_ID_RE.test(key.id)) {
      throw new FingerprintKeyError('invalid_key_id', `fingerprint key #${index + 1}: id must match ${KEY_ID_RE.source}`);
    }
    if (seen.has(key.id)) throw new FingerprintKeyError('duplicate_key_id', `fingerprint key id "${key.id}" appears twice`);
    seen.add(key.id);
    const length = key.secret instanceof Uint8Array ? key.secret.byteLength : 0;
    if (length < MIN_FINGERPRINT_KEY_BYTES) {
      throw new FingerprintKeyError(
        'key_too_short',
        `fingerprint key "${key.id}" has ${length} bytes; at least ${MIN_FINGERPRINT_KEY_BYTES} random bytes are required`,
      );
    }
    const credential = createSecretKey(Buffer.from(key.secret)); // a copy: later changes by the caller do not matter
    const username = createSecretKey(createHmac('sha256', credential).update(USERNAME_KEY_LABEL).digest());
    return { id: key.id, credential: hmacSha256(credential), username: hmacSha256(username) };
  });
}
