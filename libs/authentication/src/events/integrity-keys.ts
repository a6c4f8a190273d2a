// The producer's checkpoint keys (docs/integrity.md): the Ed25519 signing key from
// `integrity.signingKeyFile`, or, when none is configured, one generated at first start under
// dataDir and reused afterwards (like the fingerprint key); the public keys served beside it are
// its own and those of `integrity.verificationKeysFile` (earlier keys, for a rotation).
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AuthtrailConfig } from '@authtrail/config';
import { loadSigningKey, loadVerificationKeys, readJwksFile, type KeyInput, type SigningKey, type VerificationKeyRing } from '@authtrail/integrity';

export const GENERATED_SIGNING_KEY_FILE = 'integrity-signing.pem';

export interface IntegrityKeys {
  readonly signing: SigningKey;
  readonly keys: VerificationKeyRing;
}

export function integrityKeysFor(config: Pick<AuthtrailConfig, 'integrity' | 'dataDir'>): IntegrityKeys {
  const { integrity } = config;
  const pem = integrity.signingKeyFile !== undefined ? readKeyFile(integrity.signingKeyFile, 'integrity.signingKeyFile') : generatedKey(join(config.dataDir, GENERATED_SIGNING_KEY_FILE));
  const publicPem = publicPemOf(pem);
  const id = integrity.keyId ?? thumbprintId(publicPem);
  const signing = loadSigningKey({ id, key: pem });
  const earlier: KeyInput[] = integrity.verificationKeysFile !== undefined ? readJwksFile(integrity.verificationKeysFile, 'integrity.verificationKeysFile') : [];
  return { signing, keys: loadVerificationKeys([{ id, key: publicPem }, ...earlier.filter((key) => key.id !== id)]) };
}

function publicPemOf(privatePem: string): string {
  try {
    return createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    // OpenSSL's message may quote the key: name the setting instead.
    throw new Error('integrity.signingKeyFile: not a readable PEM private key');
  }
}

/** The first 16 characters of the key's RFC 7638 JWK thumbprint: stable, and derived from the public key alone. */
function thumbprintId(publicPem: string): string {
  const { x } = createPublicKey(publicPem).export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x })).digest('base64url').slice(0, 16);
}

function readKeyFile(file: string, setting: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function generatedKey(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  mkdirSync(dirname(file), { recursive: true });
  // 'wx': two processes starting at once must not overwrite each other's key.
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    return pem;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(file, 'utf8');
  }
}
