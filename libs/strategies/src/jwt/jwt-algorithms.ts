// Algorithm pinning. Only asymmetric JWS algorithms exist here: an HS* token verified with a
// public key would let anyone who has the public key (everyone) mint tokens, and `none` is
// no signature at all. Each key is pinned to the algorithms its type can produce.
import type { KeyObject } from 'node:crypto';

export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwsAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export function isAsymmetricAlgorithm(alg: string): alg is JwsAlgorithm {
  return (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
}

const EC_CURVE_ALGORITHM: Readonly<Record<string, JwsAlgorithm>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

/** The algorithms a public key can verify, from its type (and curve); empty if unusable. */
export function algorithmsForKey(key: KeyObject): readonly JwsAlgorithm[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const alg = EC_CURVE_ALGORITHM[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return alg ? [alg] : [];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}

/** Minimum RSA modulus: jose refuses smaller keys at verification, we refuse them at boot. */
export const MIN_RSA_MODULUS_BITS = 2048;
