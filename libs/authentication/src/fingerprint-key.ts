// The fingerprint HMAC keys: from config (`fingerprint.keys` / AUTHTRAIL_FINGERPRINT_KEY), or,
// when none is configured, one generated at first start under dataDir and reused afterwards,
// so fingerprints stay stable across restarts of a single-node install.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeFingerprintSecret, type AuthtrailConfig } from '@authtrail/config';
import { createFingerprinter, type Fingerprinter } from '@authtrail/events';

export const GENERATED_KEY_FILE = 'fingerprint.key';

export function fingerprinterFor(config: Pick<AuthtrailConfig, 'fingerprint' | 'dataDir'>): Fingerprinter {
  if (config.fingerprint.keys.length > 0) {
    return createFingerprinter({
      keys: config.fingerprint.keys.map((k) => {
        const secret = decodeFingerprintSecret(k.secret);
        // The loader validated it; this only guards direct callers. Never print the secret.
        if (!secret) throw new Error(`fingerprint key "${k.id}" is not base64 of at least 32 bytes`);
        return { id: k.id, secret };
      }),
    });
  }
  return createFingerprinter({ keys: [{ id: 'generated', secret: generatedKey(join(config.dataDir, GENERATED_KEY_FILE)) }] });
}

function generatedKey(file: string): Buffer {
  try {
    const existing = decodeFingerprintSecret(readFileSync(file, 'utf8').trim());
    if (existing) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  // 'wx': two processes starting at once must not overwrite each other's key.
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = decodeFingerprintSecret(readFileSync(file, 'utf8').trim());
    if (!winner) throw new Error(`${file} does not hold a valid fingerprint key`);
    return winner;
  }
}
