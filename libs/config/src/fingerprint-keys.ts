// The fingerprint HMAC keys (DESIGN §4). Several keys let operators rotate: the FIRST key
// fingerprints new events, the others are kept so older fingerprints can still be computed
// (e.g. for `credentialFingerprint`). In the environment they are one variable:
//   AUTHTRAIL_FINGERPRINT_KEY="k2026:BASE64SECRET,k2025:OLDBASE64SECRET"
// A value without an id (`BASE64SECRET`) gets the id `default`.

export interface FingerprintKeyConfig {
  readonly id: string;
  /** base64 of at least 32 random bytes. */
  readonly secret: string;
}

export type FingerprintKeysParse =
  | { readonly ok: true; readonly keys: readonly FingerprintKeyConfig[] }
  | { readonly ok: false; readonly message: string };

const KEY_ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseFingerprintKeysEnv(value: string): FingerprintKeysParse {
  const parts = value.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length === 0) return { ok: false, message: 'must list at least one key as id:base64secret' };
  const keys: FingerprintKeyConfig[] = [];
  for (const part of parts) {
    const colon = part.indexOf(':');
    const id = colon < 0 ? 'default' : part.slice(0, colon);
    const secret = colon < 0 ? part : part.slice(colon + 1);
    // The message never repeats the secret: it is a key.
    if (!KEY_ID_RE.test(id)) return { ok: false, message: `key id #${keys.length + 1} must match ${KEY_ID_RE.source}` };
    if (keys.some((k) => k.id === id)) return { ok: false, message: `key id "${id}" appears twice` };
    keys.push({ id, secret });
  }
  return { ok: true, keys };
}

/** Decoded key bytes, or undefined when the secret is not base64 of ≥ 32 bytes. */
export function decodeFingerprintSecret(secret: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(secret)) return undefined;
  const bytes = Buffer.from(secret, secret.includes('-') || secret.includes('_') ? 'base64url' : 'base64');
  return bytes.length >= 32 ? bytes : undefined;
}
