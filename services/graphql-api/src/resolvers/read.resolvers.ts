// Query resolvers: argument checking, then one narrow query function each.
import {
  auditHealth,
  countCredentials,
  countDecisions,
  countIdentities,
  countPolicyVersions,
  countRevocations,
  type DecisionQueryFilter,
  failureSeries,
  failureStats,
  findAuditIntegrity,
  findCredentials,
  findCurrentPolicy,
  findDecisionById,
  findDecisions,
  findIdentities,
  findPolicyVersions,
  findRevocations,
  type FailureDimension,
  type FailureGroupView,
} from '@authtrail/read-model';
import { apiError, badInput } from '../errors/api-error';
import { toCredentialQueryFilter, toDecisionQueryFilter, toIdentityQueryFilter, toRevocationQueryFilter } from '../filters/to-query-filters';
import { lazyUsernameHasher, usernameHasherFor } from '../filters/username-hashes';
import type { BucketSize, FailureGroupBy, QueryResolvers } from '../generated/resolvers.generated';
import { toConnection } from '../pagination/connection';
import { encodeCursor } from '../pagination/cursor';
import { toPageRequest } from '../pagination/page-request';
import type { GraphqlContext } from '../context';
import { toAuditIntegrity } from './audit-integrity.mapper';
import type { FailureGroupModel } from './failure-stats.mapper';
import { NO_POLICY } from './policy.mapper';

const DIMENSIONS: Readonly<Record<FailureGroupBy, FailureDimension>> = {
  SOURCE_IP: 'source_ip',
  REASON: 'reason',
  STRATEGY: 'strategy',
  USERNAME: 'username',
  CREDENTIAL: 'credential',
};

const BUCKET_SECONDS: Readonly<Record<BucketSize, number>> = {
  MINUTE: 60,
  FIVE_MINUTES: 300,
  FIFTEEN_MINUTES: 900,
  HOUR: 3600,
  DAY: 86_400,
};

async function decisionConnection(context: GraphqlContext, filter: DecisionQueryFilter, first: number | null | undefined, after: string | null | undefined) {
  const page = await findDecisions(context.db, filter, toPageRequest('decision', first, after, context.services.limits));
  return toConnection(page.rows, page.hasNextPage, (r) => encodeCursor('decision', r.time, r.id), () => countDecisions(context.db, filter));
}

const MAX_USERNAMES = 100;

/** `failureStats(usernames:)` as hash → name, under every configured key. The names go nowhere else. */
function namesByHash(context: GraphqlContext, groupBy: FailureGroupBy, usernames: readonly string[] | null | undefined): ReadonlyMap<string, string> {
  if (!usernames || usernames.length === 0) return new Map();
  if (groupBy !== 'USERNAME') throw badInput('usernames applies to groupBy: USERNAME only', 'usernames');
  if (usernames.length > MAX_USERNAMES) throw badInput(`usernames accepts at most ${MAX_USERNAMES} names`, 'usernames');
  if (usernames.some((name) => name.length === 0 || name.length > 1024)) throw badInput('every username must be 1 to 1024 characters', 'usernames');
  const hash = usernameHasherFor(context, 'failureStats(usernames:)');
  return new Map(usernames.flatMap((name) => hash(name).map((h) => [h, name] as const)));
}

export const queryResolvers: QueryResolvers<GraphqlContext> = {
  async identities(_root, { filter, first, after }, context) {
    const query = toIdentityQueryFilter(filter);
    const page = await findIdentities(context.db, query, toPageRequest('identity', first, after, context.services.limits));
    return toConnection(page.rows, page.hasNextPage, (r) => encodeCursor('identity', r.lastSeen, r.username), () => countIdentities(context.db, query));
  },

  async identity(_root, { username }, context) {
    if (username.length === 0) throw badInput('username must not be empty', 'username');
    return context.loaders.identityByUsername.load(username);
  },

  decisions(_root, { filter, first, after }, context) {
    return decisionConnection(context, toDecisionQueryFilter(filter, lazyUsernameHasher(context, 'filter.claimedUsername')), first, after);
  },

  authFailures(_root, { filter, first, after }, context) {
    if (filter?.decision === 'ALLOW') throw badInput('authFailures lists DENY decisions; use decisions for ALLOW', 'filter.decision');
    return decisionConnection(context, { ...toDecisionQueryFilter(filter, lazyUsernameHasher(context, 'filter.claimedUsername')), decision: 'deny' }, first, after);
  },

  async decision(_root, { id }, context) {
    if (id.length === 0) throw badInput('id must not be empty', 'id');
    return (await findDecisionById(context.db, id)) ?? null;
  },

  async failureStats(_root, { since, until, groupBy, limit, bucket, usernames }, context) {
    const { limits } = context.services;
    const size = limit ?? 20;
    if (size < 1 || size > limits.maxFailureGroups) {
      throw apiError('PAGE_SIZE_TOO_LARGE', `limit must be between 1 and ${limits.maxFailureGroups}`, { maxPageSize: limits.maxFailureGroups });
    }
    const end = until ?? context.services.now();
    if (end.getTime() <= since.getTime()) throw badInput('until must be after since', 'until');
    const named = namesByHash(context, groupBy, usernames);
    const query = { since, until: until ?? undefined, groupBy: DIMENSIONS[groupBy], limit: size };
    const groups = await failureStats(context.db, query);
    // A name stored only as a hash is shown as the name the admin gave for it; its series is still
    // looked up by what is stored (null key + hash).
    const label = (g: FailureGroupView): string | null => g.key ?? (g.usernameHash ? (named.get(g.usernameHash) ?? null) : null);
    if (!bucket || groups.length === 0) return groups.map((g): FailureGroupModel => ({ ...g, key: label(g), series: [] }));
    const seconds = BUCKET_SECONDS[bucket];
    const points = (end.getTime() - since.getTime()) / 1000 / seconds;
    if (points > limits.maxSeriesPoints) throw badInput(`a ${bucket} series over this window has ${Math.ceil(points)} points; at most ${limits.maxSeriesPoints}`, 'bucket');
    const series = await failureSeries(context.db, query, groups.map((g) => g.key), seconds);
    return groups.map((g): FailureGroupModel => ({
      ...g,
      key: label(g),
      series: series.filter((p) => p.key === g.key && p.usernameHash === g.usernameHash).map((p) => ({ start: p.start, count: p.count })),
    }));
  },

  async credentials(_root, { filter, first, after }, context) {
    const query = toCredentialQueryFilter(filter, context.services.now());
    const page = await findCredentials(context.db, query, toPageRequest('credential', first, after, context.services.limits));
    return toConnection(page.rows, page.hasNextPage, (r) => encodeCursor('credential', r.lastUsed, r.fingerprint), () => countCredentials(context.db, query));
  },

  async credential(_root, { fingerprint }, context) {
    if (fingerprint.length === 0) throw badInput('fingerprint must not be empty', 'fingerprint');
    return context.loaders.credentialByFingerprint.load(fingerprint);
  },

  credentialFingerprint(_root, { secret }, context) {
    const fingerprint = context.services.fingerprint;
    if (!fingerprint) throw apiError('NOT_CONFIGURED', 'no fingerprint key is configured');
    if (secret.length === 0 || secret.length > 16_384) throw badInput('secret must be 1 to 16384 characters', 'secret');
    // The secret is hashed and dropped: it is in no log, event, error or cache of this API.
    return fingerprint(secret);
  },

  async policy(_root, _args, context) {
    return (await findCurrentPolicy(context.db)) ?? NO_POLICY;
  },

  async policyHistory(_root, { first, after }, context) {
    const page = await findPolicyVersions(context.db, toPageRequest('policy', first, after, context.services.limits));
    return toConnection(page.rows, page.hasNextPage, (r) => encodeCursor('policy', r.appliedAt, r.version), () => countPolicyVersions(context.db));
  },

  async revocations(_root, { filter, first, after }, context) {
    const query = toRevocationQueryFilter(filter, context.services.now());
    const page = await findRevocations(context.db, query, toPageRequest('revocation', first, after, context.services.limits));
    return toConnection(page.rows, page.hasNextPage, (r) => encodeCursor('revocation', r.revokedAt ?? new Date(0), r.id), () => countRevocations(context.db, query));
  },

  auditHealth(_root, _args, context) {
    return auditHealth(context.db);
  },

  integrityKeys(_root, _args, context) {
    return context.services.integrityKeys?.toJwks().keys ?? [];
  },

  async auditIntegrity(_root, { from, to }, context) {
    if (to.getTime() < from.getTime()) throw badInput('to must not be before from', 'to');
    return toAuditIntegrity(await findAuditIntegrity(context.db, { from, to }));
  },
};
