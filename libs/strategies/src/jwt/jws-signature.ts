// The JWS signature check itself (RFC 7515 §5.2, algorithms of RFC 7518 §3 and RFC 8037):
// `crypto.verify` on a KeyObject imported once, on the request's thread. No WebCrypto key and no
// thread-pool hop per call, and the token is not parsed again (the caller already did).
// Every algorithm is bound to the key types and curve that may produce it, so a key of the wrong
// kind is never asked to verify (no RSA key checking an ES256 token, no P-384 key for ES256).
import { constants, verify, type KeyObject } from 'node:crypto';
import { MIN_RSA_MODULUS_BITS, type JwsAlgorithm } from './jwt-algorithms';

/** The two parts a signature covers and is, from one compact JWS. */
export interface SignedJws {
  /** ASCII of `<header>.<payload>`. */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

export type SignatureMatch = 'valid' | 'invalid' | 'unusable-key';

interface AlgorithmRule {
  /** Digest for `crypto.verify`; null for EdDSA (the curve fixes it). */
  readonly digest: string | null;
  readonly keyTypes: readonly string[];
  readonly curve?: string;
  readonly pss?: true;
  /** ECDSA: the raw r‖s length of the curve (JWS uses IEEE P1363, not DER). */
  readonly ecdsaSignatureBytes?: number;
}

const RSA_PKCS1 = { keyTypes: ['rsa'] } as const;
const RSA_PSS = { keyTypes: ['rsa', 'rsa-pss'], pss: true } as const;
// RFC 7518 §3.5: MGF1 with the same hash, salt exactly as long as the hash output (OpenSSL's
// default when verifying would accept any salt length).
const PSS_OPTIONS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } as const;

const RULES: Readonly<Record<JwsAlgorithm, AlgorithmRule>> = {
  RS256: { digest: 'sha256', ...RSA_PKCS1 },
  RS384: { digest: 'sha384', ...RSA_PKCS1 },
  RS512: { digest: 'sha512', ...RSA_PKCS1 },
  PS256: { digest: 'sha256', ...RSA_PSS },
  PS384: { digest: 'sha384', ...RSA_PSS },
  PS512: { digest: 'sha512', ...RSA_PSS },
  ES256: { digest: 'sha256', keyTypes: ['ec'], curve: 'prime256v1', ecdsaSignatureBytes: 64 },
  ES384: { digest: 'sha384', keyTypes: ['ec'], curve: 'secp384r1', ecdsaSignatureBytes: 96 },
  ES512: { digest: 'sha512', keyTypes: ['ec'], curve: 'secp521r1', ecdsaSignatureBytes: 132 },
  EdDSA: { digest: null, keyTypes: ['ed25519', 'ed448'] },
};

interface KeyShape {
  readonly type: string | undefined;
  readonly curve: string | undefined;
  readonly modulusBits: number | undefined;
}

// asymmetricKeyDetails builds a new object on each read: read it once per key.
const shapes = new WeakMap<KeyObject, KeyShape>();

function shapeOf(key: KeyObject): KeyShape {
  let shape = shapes.get(key);
  if (shape === undefined) {
    const details = key.asymmetricKeyDetails;
    shape = { type: key.asymmetricKeyType, curve: details?.namedCurve, modulusBits: details?.modulusLength };
    shapes.set(key, shape);
  }
  return shape;
}

function fits(rule: AlgorithmRule, key: KeyObject): boolean {
  if (key.type !== 'public') return false;
  const shape = shapeOf(key);
  if (shape.type === undefined || !rule.keyTypes.includes(shape.type)) return false;
  if (rule.curve !== undefined && shape.curve !== rule.curve) return false;
  // The same floor jose applies: a short RSA key is forgeable, whatever signed with it.
  if (shape.modulusBits !== undefined && shape.type.startsWith('rsa') && shape.modulusBits < MIN_RSA_MODULUS_BITS) return false;
  return true;
}

/**
 * The signing input and the decoded signature of a compact JWS whose three segments the parser
 * has already checked to be base64url.
 */
export function signedJws(token: string): SignedJws {
  const lastDot = token.lastIndexOf('.');
  return { signingInput: Buffer.from(token.slice(0, lastDot), 'latin1'), signature: Buffer.from(token.slice(lastDot + 1), 'base64url') };
}

export function verifyJwsSignature(jws: SignedJws, alg: JwsAlgorithm, key: KeyObject): SignatureMatch {
  const rule = RULES[alg];
  if (!fits(rule, key)) return 'unusable-key';
  try {
    // The KeyObject itself wherever its defaults are the algorithm's (PKCS#1 v1.5 for RSA, DER for
    // ECDSA): Node 24 spends ~13 µs per call recognising a `{ key, …options }` argument.
    if (rule.ecdsaSignatureBytes !== undefined) {
      if (jws.signature.length !== rule.ecdsaSignatureBytes) return 'invalid';
      return verify(rule.digest, jws.signingInput, key, ecdsaDer(jws.signature)) ? 'valid' : 'invalid';
    }
    const verifyKey = rule.pss ? { key, ...PSS_OPTIONS } : key;
    return verify(rule.digest, jws.signingInput, verifyKey, jws.signature) ? 'valid' : 'invalid';
  } catch {
    // OpenSSL refuses some malformed signatures outright instead of answering false.
    return 'invalid';
  }
}

/** JWS's raw r‖s (RFC 7518 §3.4) as the DER `SEQUENCE { INTEGER r, INTEGER s }` OpenSSL reads. */
export function ecdsaDer(raw: Buffer): Buffer {
  const half = raw.length / 2;
  const r = derInteger(raw.subarray(0, half));
  const s = derInteger(raw.subarray(half));
  const bodyLength = r.length + s.length;
  // P-521's sequence can pass 127 bytes: then its length takes the long form (0x81 n).
  const header = bodyLength < 0x80 ? Buffer.from([0x30, bodyLength]) : Buffer.from([0x30, 0x81, bodyLength]);
  return Buffer.concat([header, r, s], header.length + bodyLength);
}

function derInteger(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start += 1;
  const digits = unsigned.subarray(start);
  // A set high bit would read as negative: a leading zero keeps the integer positive.
  const pad = (digits[0] ?? 0) & 0x80 ? 1 : 0;
  const integer = Buffer.alloc(2 + pad + digits.length);
  integer[0] = 0x02;
  integer[1] = pad + digits.length;
  digits.copy(integer, 2 + pad);
  return integer;
}
