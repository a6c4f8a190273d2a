// Field resolvers of the object types: enum mapping, computed fields, and the batched
// relations (through the per-operation DataLoaders, never one query per row).
import { toIdentityKind } from '../filters/to-query-filters';
import type { Resolvers } from '../generated/resolvers.generated';
import type { GraphqlContext } from '../context';

type TypeResolvers = Omit<Resolvers<GraphqlContext>, 'Query' | 'Mutation' | 'Subscription' | 'DateTime'>;

const totalCount = { totalCount: (parent: { totalCount: () => Promise<number> }) => parent.totalCount() };

export const typeResolvers: TypeResolvers = {
  Decision: {
    decision: (d) => (d.decision === 'allow' ? 'ALLOW' : 'DENY'),
    identity: (d, _args, context) => (d.username && !d.usernameClaimed ? context.loaders.identityByUsername.load(d.username) : null),
    credential: (d, _args, context) => (d.credentialFingerprint ? context.loaders.credentialByFingerprint.load(d.credentialFingerprint) : null),
  },
  Identity: {
    kind: (i) => toIdentityKind(i.kind),
    credentials: (i, _args, context) => context.loaders.credentialsByUsername.load(i.username),
  },
  Credential: {
    identity: (c, _args, context) => (c.username ? context.loaders.identityByUsername.load(c.username) : null),
  },
  Revocation: {
    active: (r, _args, context) => r.liftedAt === null && (r.expiresAt === null || r.expiresAt.getTime() > context.services.now().getTime()),
  },
  AuditHealth: {
    projectorLag: (h) => h.partitions.reduce((sum, p) => sum + p.lag, 0),
    lastEventTime: (h) => {
      const times = [h.lastDecisionTime, ...h.partitions.map((p) => p.lastEventTime)].filter((t): t is Date => t !== null);
      return times.length ? new Date(Math.max(...times.map((t) => t.getTime()))) : null;
    },
    sequenceGaps: (h) => h.producers.reduce((sum, p) => sum + p.missing, 0),
    deadLettered: (h) => h.partitions.reduce((sum, p) => sum + p.deadLettered, 0),
    droppedEvents: (h) => h.producers.reduce((sum, p) => sum + p.missing, 0) + h.partitions.reduce((sum, p) => sum + p.deadLettered, 0),
  },
  DecisionConnection: totalCount,
  IdentityConnection: totalCount,
  CredentialConnection: totalCount,
  PolicyConnection: totalCount,
  RevocationConnection: totalCount,
};
