// Verifies the signature of an already pre-checked compact JWS against the candidate keys with
// the algorithm pinned to the header's (already allow-listed) one. The structure was checked by
// the parser; node:crypto does the cryptography (jws-signature.ts).
import type { ReasonCode } from '@authtrail/events';
import type { KeyResolver } from './key-resolver';
import type { JwsAlgorithm } from './jwt-algorithms';
import { signedJws, verifyJwsSignature } from './jws-signature';

export type SignatureCheck =
  | { readonly kind: 'valid' }
  | { readonly kind: 'rejected'; readonly reason: ReasonCode; readonly message: string }
  | { readonly kind: 'errored'; readonly reason: ReasonCode; readonly message: string };

export async function verifySignature(token: string, alg: JwsAlgorithm, kid: string | undefined, resolver: KeyResolver): Promise<SignatureCheck> {
  const lookup = await resolver.resolve(alg, kid);
  switch (lookup.kind) {
    case 'unavailable':
      return { kind: 'errored', reason: 'upstream_unavailable', message: lookup.message };
    case 'no-key':
      return { kind: 'rejected', reason: 'bad_signature', message: lookup.message };
    case 'algorithm-not-pinned':
      return { kind: 'rejected', reason: 'unsupported_algorithm', message: lookup.message };
    case 'keys':
      break;
    default: {
      const _exhaustive: never = lookup;
      return _exhaustive;
    }
  }
  const jws = signedJws(token);
  for (const key of lookup.keys) {
    // 'unusable-key' (another type or curve, a short RSA modulus): the next candidate may fit.
    if (verifyJwsSignature(jws, alg, key) === 'valid') return { kind: 'valid' };
  }
  return { kind: 'rejected', reason: 'bad_signature', message: 'signature does not match any trusted key' };
}
