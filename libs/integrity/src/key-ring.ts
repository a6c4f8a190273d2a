// Ed25519 keys of the checkpoint signatures. Keys are imported once into KeyObjects (Node 24
// re-checks the key type on every call when given PEM text or a Buffer, and an options object
// costs more again), and crypto.sign/verify get the KeyObject bare. Several public keys can be
// loaded at once: after a rotation, checkpoints signed with the old key still verify.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type IntegrityKeyErrorCode = 'no_keys' | 'invalid_key_id' | 'duplicate_key_id' | 'invalid_key' | 'not_ed25519' | 'private_key_given' | 'public_key_given';

/** Names the key id and the rule, never the key material. */
export class IntegrityKeyError extends Error {
  constructor(
    readonly code: IntegrityKeyErrorCode,
    readonly keyId: string | undefined,
    detail: string,
  ) {
    super(keyId === undefined ? detail : `key "${keyId}": ${detail}`);
    this.name = 'IntegrityKeyError';
  }
}

export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The private key a producer signs checkpoints with, and its id (written into each checkpoint). */
export interface SigningKey {
  readonly id: string;
  readonly privateKey: KeyObject;
}

/** A key as configured: PEM text (PKCS#8 private / SPKI public) or a JWK object. */
export interface KeyInput {
  readonly id: string;
  readonly key: string | JsonWebKeyInput;
}

export interface JsonWebKeyInput {
  readonly kty: string;
  readonly crv?: string;
  readonly x?: string;
  readonly d?: string;
  readonly kid?: string;
  readonly [name: string]: unknown;
}

export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/** Public keys by id: what a verifier needs, and what a keys endpoint publishes. */
export interface VerificationKeyRing {
  readonly ids: readonly string[];
  get(keyId: string): KeyObject | undefined;
  /** RFC 8037 JWK Set of the public keys, for a keys endpoint or `authtrail verify --jwks`. */
  toJwks(): { readonly keys: readonly PublicJwk[] };
}

export function loadSigningKey(input: KeyInput): SigningKey {
  checkKeyId(input.id);
  if (typeof input.key === 'object' && input.key.d === undefined) throw new IntegrityKeyError('public_key_given', input.id, 'a signing key must be a private key');
  if (typeof input.key === 'string' && !/-----BEGIN (?:ENCRYPTED )?PRIVATE KEY-----/.test(input.key)) {
    throw new IntegrityKeyError(/-----BEGIN PUBLIC KEY-----/.test(input.key) ? 'public_key_given' : 'invalid_key', input.id, 'a signing key must be a PKCS#8 PEM private key ("BEGIN PRIVATE KEY")');
  }
  const privateKey = importKey(input, (key) => (typeof key === 'string' ? createPrivateKey(key) : createPrivateKey({ key, format: 'jwk' })));
  requireEd25519(privateKey, input.id);
  return { id: input.id, privateKey };
}

/** The public keys of `inputs`; a private key is refused, so keys for verifying never carry the means to sign. */
export function loadVerificationKeys(inputs: readonly KeyInput[]): VerificationKeyRing {
  if (inputs.length === 0) throw new IntegrityKeyError('no_keys', undefined, 'no public key given');
  const keys = new Map<string, KeyObject>();
  for (const input of inputs) {
    checkKeyId(input.id);
    if (keys.has(input.id)) throw new IntegrityKeyError('duplicate_key_id', input.id, 'the id is used twice');
    if (typeof input.key === 'object' ? input.key.d !== undefined : /PRIVATE KEY-----/.test(input.key)) {
      throw new IntegrityKeyError('private_key_given', input.id, 'give the public key only: a verifier never needs the private key');
    }
    const publicKey = importKey(input, (key) => (typeof key === 'string' ? createPublicKey(key) : createPublicKey({ key, format: 'jwk' })));
    requireEd25519(publicKey, input.id);
    keys.set(input.id, publicKey);
  }
  return ringOf(keys);
}

/** The public key of a signing key, as a one-key ring (a producer's keys endpoint, tests). */
export function verificationKeysOf(signingKeys: readonly SigningKey[]): VerificationKeyRing {
  const keys = new Map<string, KeyObject>();
  for (const key of signingKeys) keys.set(key.id, createPublicKey(key.privateKey));
  return ringOf(keys);
}

/** Reads a JWK Set (the output of toJwks); each key needs its `kid`. */
export function keyInputsOfJwks(jwks: unknown): KeyInput[] {
  const keys = typeof jwks === 'object' && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) throw new IntegrityKeyError('invalid_key', undefined, 'a JWK Set is an object with a "keys" array');
  return keys.map((key: unknown, index) => {
    if (typeof key !== 'object' || key === null || typeof (key as { kty?: unknown }).kty !== 'string') throw new IntegrityKeyError('invalid_key', undefined, `keys[${index}] is not a JWK`);
    const kid = (key as { kid?: unknown }).kid;
    if (typeof kid !== 'string') throw new IntegrityKeyError('invalid_key_id', undefined, `keys[${index}] has no "kid"`);
    return { id: kid, key: key as JsonWebKeyInput };
  });
}

/**
 * The keys of a JWK Set file named by a setting (`integrity.verificationKeysFile`); errors name
 * the setting and never quote the file's content.
 */
export function readJwksFile(file: string, setting: string): KeyInput[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let jwks: unknown;
  try {
    jwks = JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${setting}: not a JSON JWK Set`);
  }
  return keyInputsOfJwks(jwks);
}

function ringOf(keys: ReadonlyMap<string, KeyObject>): VerificationKeyRing {
  const ids = [...keys.keys()];
  const jwks = ids.map((kid): PublicJwk => {
    const { x } = (keys.get(kid) as KeyObject).export({ format: 'jwk' });
    return { kty: 'OKP', crv: 'Ed25519', x: x as string, kid, alg: 'EdDSA', use: 'sig' };
  });
  return { ids, get: (keyId) => keys.get(keyId), toJwks: () => ({ keys: jwks }) };
}

function checkKeyId(id: string): void {
  if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) throw new IntegrityKeyError('invalid_key_id', undefined, 'key ids are 1-64 characters of A-Z a-z 0-9 . _ -');
}

function importKey(input: KeyInput, load: (key: string | JsonWebKeyInput) => KeyObject): KeyObject {
  try {
    return load(input.key);
  } catch {
    // OpenSSL's message can quote the input; ours names only the key id.
    throw new IntegrityKeyError('invalid_key', input.id, 'not a readable PEM or JWK key');
  }
}

function requireEd25519(key: KeyObject, id: string): void {
  if (key.asymmetricKeyType !== 'ed25519') throw new IntegrityKeyError('not_ed25519', id, `an Ed25519 key is required, got ${key.asymmetricKeyType ?? 'a symmetric key'}`);
}
