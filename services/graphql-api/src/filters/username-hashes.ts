// Names an admin asks about (`DecisionFilter.claimedUsername`, `failureStats(usernames:)`) are
// matched by their keyed hash: a name typed for no known account may be a password typed into
// the username field, so authn stores only `hmac-sha256-username:<keyId>:<hex>` of it. The API
// hashes the asked-for name with every configured key (a rotation keeps older hashes findable)
// and drops it: it is in no log, error message, event or cache.
//
// Admins only, like `credentialFingerprint`: to a viewer, "was this string ever typed as a
// username?" would be an online dictionary oracle for exactly the secrets the hashing protects.
import { apiError, forbidden } from '../errors/api-error';
import type { GraphqlContext } from '../context';

/** Hashes of one name under every key, first key first. */
export type UsernameHasher = (username: string) => readonly string[];

/** The hasher for `argument`, or the coded refusal (FORBIDDEN for viewers, NOT_CONFIGURED without a key). */
export function usernameHasherFor(context: Pick<GraphqlContext, 'caller' | 'services'>, argument: string): UsernameHasher {
  if (!context.caller.roles.has('ADMIN')) throw forbidden(argument, 'ADMIN');
  const hashes = context.services.usernameHashes;
  if (!hashes) throw apiError('NOT_CONFIGURED', `${argument} needs a fingerprint key; none is configured`);
  return hashes;
}

/** Lazily: only a filter that names a username needs the role and the key. */
export function lazyUsernameHasher(context: Pick<GraphqlContext, 'caller' | 'services'>, argument: string): UsernameHasher {
  return (username) => usernameHasherFor(context, argument)(username);
}
