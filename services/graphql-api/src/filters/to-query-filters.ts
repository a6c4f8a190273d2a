// GraphQL filter inputs → read-model query filters. Pure; invalid values become BAD_USER_INPUT
// with the argument named, so nothing malformed reaches SQL.
import type { CredentialQueryFilter, DecisionQueryFilter, IdentityKindValue, IdentityQueryFilter, RevocationQueryFilter } from '@authtrail/read-model';
import { apiError, badInput } from '../errors/api-error';
import type { CredentialFilter, DecisionFilter, IdentityFilter, IdentityKind, RevocationFilter, TimeRange } from '../generated/resolvers.generated';
import { parseIpFilter } from './ip-filter';
import type { UsernameHasher } from './username-hashes';

const MAX_LIST = 100;

const IDENTITY_KINDS: Readonly<Record<IdentityKind, IdentityKindValue>> = {
  USER: 'user',
  SERVICE_ACCOUNT: 'service_account',
  BOOTSTRAP: 'bootstrap',
  ANONYMOUS: 'anonymous',
};

export function toIdentityKind(value: string): IdentityKind {
  const entry = Object.entries(IDENTITY_KINDS).find(([, v]) => v === value);
  // A kind the API does not know yet is shown as USER rather than failing the whole page.
  return (entry?.[0] as IdentityKind | undefined) ?? 'USER';
}

function list<T>(values: readonly T[] | null | undefined, argument: string): readonly T[] | undefined {
  if (!values) return undefined;
  if (values.length > MAX_LIST) throw badInput(`${argument} accepts at most ${MAX_LIST} values`, argument);
  return values.length ? values : undefined;
}

function text(value: string | null | undefined, argument: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length === 0) throw badInput(`${argument} must not be empty`, argument);
  if (value.length > 1024) throw badInput(`${argument} is too long`, argument);
  return value;
}

function range(value: TimeRange | null | undefined, argument: string): { from?: Date; to?: Date } {
  if (!value) return {};
  const from = value.from ?? undefined;
  const to = value.to ?? undefined;
  if (from && to && from.getTime() > to.getTime()) throw badInput(`${argument}.from is after ${argument}.to`, argument);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/**
 * `hashUsername` turns `claimedUsername` into its hashes (and refuses callers who may not ask);
 * without it a `claimedUsername` is NOT_CONFIGURED.
 */
export function toDecisionQueryFilter(filter: DecisionFilter | null | undefined, hashUsername?: UsernameHasher): DecisionQueryFilter {
  if (!filter) return {};
  const { from, to } = range(filter.time, 'filter.time');
  let sourceIp: DecisionQueryFilter['sourceIp'];
  if (filter.sourceIp !== null && filter.sourceIp !== undefined) {
    const parsed = parseIpFilter(filter.sourceIp);
    if (!parsed.ok) throw badInput(`filter.sourceIp: ${parsed.reason}`, 'filter.sourceIp');
    sourceIp = parsed.match;
  }
  return dropUndefined({
    from,
    to,
    decision: filter.decision === 'ALLOW' ? 'allow' : filter.decision === 'DENY' ? 'deny' : undefined,
    reasons: list(filter.reasons, 'filter.reasons'),
    strategies: list(filter.strategies, 'filter.strategies'),
    username: text(filter.username, 'filter.username'),
    usernamePrefix: text(filter.usernamePrefix, 'filter.usernamePrefix'),
    claimedUsernameHashes: claimedUsernameHashes(filter.claimedUsername, hashUsername),
    sourceIp,
    credentialFingerprint: text(filter.credentialFingerprint, 'filter.credentialFingerprint'),
    credentialTypes: list(filter.credentialTypes, 'filter.credentialTypes'),
    endpoint: text(filter.endpoint, 'filter.endpoint'),
    callerSubject: text(filter.callerSubject, 'filter.callerSubject'),
  });
}

function claimedUsernameHashes(name: string | null | undefined, hashUsername: UsernameHasher | undefined): readonly string[] | undefined {
  const checked = text(name, 'filter.claimedUsername');
  if (checked === undefined) return undefined;
  if (!hashUsername) throw apiError('NOT_CONFIGURED', 'filter.claimedUsername needs a fingerprint key; none is configured');
  return hashUsername(checked);
}

export function toIdentityQueryFilter(filter: IdentityFilter | null | undefined): IdentityQueryFilter {
  if (!filter) return {};
  const { from, to } = range(filter.lastSeen, 'filter.lastSeen');
  return dropUndefined({
    kinds: list(filter.kinds, 'filter.kinds')?.map((k) => IDENTITY_KINDS[k]),
    username: text(filter.username, 'filter.username'),
    usernamePrefix: text(filter.usernamePrefix, 'filter.usernamePrefix'),
    strategies: list(filter.strategies, 'filter.strategies'),
    group: text(filter.group, 'filter.group'),
    lastSeenFrom: from,
    lastSeenTo: to,
    hasFailures: filter.hasFailures ?? undefined,
  });
}

export function toCredentialQueryFilter(filter: CredentialFilter | null | undefined, now: Date): CredentialQueryFilter {
  if (!filter) return {};
  const within = filter.expiringWithinSeconds;
  if (within !== null && within !== undefined && within < 0) throw badInput('filter.expiringWithinSeconds must not be negative', 'filter.expiringWithinSeconds');
  const minIps = filter.minDistinctSourceIpsExclusive;
  if (minIps !== null && minIps !== undefined && minIps < 0) throw badInput('filter.minDistinctSourceIpsExclusive must not be negative', 'filter.minDistinctSourceIpsExclusive');
  return dropUndefined({
    types: list(filter.types, 'filter.types'),
    strategies: list(filter.strategies, 'filter.strategies'),
    username: text(filter.username, 'filter.username'),
    usernamePrefix: text(filter.usernamePrefix, 'filter.usernamePrefix'),
    fingerprint: text(filter.fingerprint, 'filter.fingerprint'),
    publicId: text(filter.publicId, 'filter.publicId'),
    notUsedSince: filter.notUsedSince ?? undefined,
    expiresBefore: within === null || within === undefined ? undefined : new Date(now.getTime() + within * 1000),
    minDistinctSourceIpsExclusive: minIps ?? undefined,
    revoked: filter.revoked ?? undefined,
  });
}

export function toRevocationQueryFilter(filter: RevocationFilter | null | undefined, now: Date): RevocationQueryFilter {
  if (!filter) return {};
  return dropUndefined({
    active: filter.active === null || filter.active === undefined ? undefined : { value: filter.active, now },
    fingerprint: text(filter.fingerprint, 'filter.fingerprint'),
    jti: text(filter.jti, 'filter.jti'),
  });
}

/** Optional keys absent rather than `undefined` (exactOptionalPropertyTypes-friendly, easy to compare in tests). */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
