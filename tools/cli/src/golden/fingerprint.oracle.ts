// Fingerprints as DESIGN §4 defines them, recomputed by the test with node:crypto from the
// configured key and the raw secret (not imported from libs/events):
//   credential: `hmac-sha256:<keyId>:<hex HMAC-SHA256(key, secret)>`
//   claimed username: `hmac-sha256-username:<keyId>:<hex HMAC-SHA256(K', name)>`,
//   K' = HMAC-SHA256(key, "authtrail/claimed-username/v1") (domain separation from credentials).
import { createHmac } from 'node:crypto';

export interface FingerprintOracle {
  credential(secret: string): string;
  username(name: string): string;
}

export function fingerprintOracle(keyId: string, keyBase64: string): FingerprintOracle {
  const key = Buffer.from(keyBase64, 'base64');
  const usernameKey = createHmac('sha256', key).update('authtrail/claimed-username/v1').digest();
  return {
    credential: (secret) => `hmac-sha256:${keyId}:${createHmac('sha256', key).update(secret, 'utf8').digest('hex')}`,
    username: (name) => `hmac-sha256-username:${keyId}:${createHmac('sha256', usernameKey).update(name, 'utf8').digest('hex')}`,
  };
}
