// Finds the candidate keys for a token header. Two sources: keys imported once at startup
// (PEM files, JWKS file) and a remote JWKS (jose `createRemoteJWKSet`: cached, refetched on an
// unknown kid after a cooldown, so a rotation is picked up while old keys keep working as long
// as the issuer still serves them). Only `alg` and `kid` of the header are ever looked at:
// `jku`, `x5u` and an embedded `jwk` are attacker-controlled and never fetched or trusted.
import { KeyObject, type webcrypto } from 'node:crypto';
import { createRemoteJWKSet, customFetch, errors } from 'jose';
import type { JwsAlgorithm } from './jwt-algorithms';
import type { VerificationKey } from './verification-key.loader';
import type { Fetch } from './http-fetch';

export type KeyLookup =
  | { readonly kind: 'keys'; readonly keys: readonly KeyObject[] }
  /** No key has this kid (or none fits the algorithm): bad_signature. */
  | { readonly kind: 'no-key'; readonly message: string }
  /** Keys exist but none is pinned to this algorithm: unsupported_algorithm. */
  | { readonly kind: 'algorithm-not-pinned'; readonly message: string }
  /** The key source could not be read: errored / upstream_unavailable. */
  | { readonly kind: 'unavailable'; readonly message: string };

export interface KeyResolver {
  resolve(alg: JwsAlgorithm, kid: string | undefined): Promise<KeyLookup>;
}

/**
 * Keys imported at startup. A matching kid narrows the candidates; a kid that matches nothing
 * falls back to every key of the algorithm, as kube-apiserver tries all service-account keys
 * (tokens minted by other signers carry kids we did not compute). A foreign key then simply
 * fails the signature check.
 */
export function staticKeyResolver(keys: readonly VerificationKey[]): KeyResolver {
  return {
    resolve(alg, kid) {
      const byKid = kid === undefined ? [] : keys.filter((k) => k.kid === kid);
      const pool = byKid.length > 0 ? byKid : keys;
      const candidates = pool.filter((k) => k.algorithms.includes(alg));
      if (candidates.length === 0) {
        return Promise.resolve({ kind: 'algorithm-not-pinned', message: `no configured key accepts ${alg}` } as const);
      }
      return Promise.resolve({ kind: 'keys', keys: candidates.map((k) => k.key) } as const);
    },
  };
}

export interface RemoteKeyResolverOptions {
  readonly fetch: Fetch;
  /** Minimum time between refetches triggered by unknown kids. */
  readonly cooldownMs: number;
  /** Age after which the set is refetched even when every kid is known. */
  readonly cacheMaxAgeMs: number;
  readonly timeoutMs: number;
  readonly allowed: readonly JwsAlgorithm[];
}

export function remoteKeyResolver(jwksUrl: URL, options: RemoteKeyResolverOptions): KeyResolver {
  const jwks = createRemoteJWKSet(jwksUrl, {
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    timeoutDuration: options.timeoutMs,
    [customFetch]: options.fetch,
  });
  return {
    async resolve(alg, kid) {
      if (!options.allowed.includes(alg)) return { kind: 'algorithm-not-pinned', message: `${alg} is not an accepted algorithm` };
      try {
        // Only alg and kid: nothing else of the attacker's header reaches key selection.
        return { kind: 'keys', keys: [asKeyObject(await jwks({ alg, ...(kid === undefined ? {} : { kid }) }))] };
      } catch (error) {
        if (error instanceof errors.JWKSMultipleMatchingKeys) {
          const keys: KeyObject[] = [];
          for await (const key of error as unknown as AsyncIterable<webcrypto.CryptoKey>) keys.push(asKeyObject(key));
          return keys.length > 0 ? { kind: 'keys', keys } : { kind: 'no-key', message: 'no usable key for this token' };
        }
        if (error instanceof errors.JWKSNoMatchingKey) {
          return { kind: 'no-key', message: kid === undefined ? `issuer publishes no ${alg} key` : 'issuer publishes no key with this kid' };
        }
        return { kind: 'unavailable', message: `JWKS unavailable: ${describeFetchError(error)}` };
      }
    },
  };
}

// jose hands out the same CryptoKey for a JWK until the set changes: convert each one once.
const keyObjects = new WeakMap<webcrypto.CryptoKey, KeyObject>();

function asKeyObject(key: KeyObject | webcrypto.CryptoKey): KeyObject {
  if (key instanceof KeyObject) return key;
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) {
    keyObject = KeyObject.from(key);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

/** A short cause without URLs' query strings or response bodies. */
export function describeFetchError(error: unknown): string {
  if (error instanceof errors.JWKSTimeout) return 'timed out';
  if (error instanceof errors.JWKSInvalid) return 'malformed key set';
  if (error instanceof errors.JOSEError) return error.message;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : error.name === 'TimeoutError' ? 'timed out' : 'request failed';
  }
  return 'request failed';
}
