// Verifies the signature of an already pre-checked compact JWS against the candidate keys with
// the algorithm pinned to the header's (already allow-listed) one. jose does the cryptography.
import { compactVerify, errors } from 'jose';
import type { ReasonCode } from '@authtrail/events';
import type { KeyResolver } from './key-resolver';
import type { JwsAlgorithm } from './jwt-algorithms';

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
  for (const key of lookup.keys) {
    try {
      await compactVerify(token, key, { algorithms: [alg] });
      return { kind: 'valid' };
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) continue;
      if (error instanceof errors.JWSInvalid) return { kind: 'rejected', reason: 'malformed_credentials', message: 'token is not a valid JWS' };
      if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
        return { kind: 'rejected', reason: 'unsupported_algorithm', message: `${alg} is not accepted` };
      }
      // A key that cannot be used with this algorithm (wrong curve, too short): try the next.
      if (error instanceof TypeError) continue;
      return { kind: 'rejected', reason: 'bad_signature', message: 'signature could not be verified' };
    }
  }
  return { kind: 'rejected', reason: 'bad_signature', message: 'signature does not match any trusted key' };
}
