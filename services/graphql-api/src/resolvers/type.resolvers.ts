// Field resolvers of the object types: enum mapping, computed fields, and the batched
// relations (through the per-operation DataLoaders, never one query per row).
import type { ProducerStatusData } from '@authtrail/events';
import { toIdentityKind } from '../filters/to-query-filters';
import type { ProducerState, Resolvers } from '../generated/resolvers.generated';
import type { GraphqlContext } from '../context';

type TypeResolvers = Omit<Resolvers<GraphqlContext>, 'Query' | 'Mutation' | 'Subscription' | 'DateTime'>;

const PRODUCER_STATES: Readonly<Record<ProducerStatusData['state'], ProducerState>> = { running: 'RUNNING', stopped: 'STOPPED', lost: 'LOST' };

const totalCount = { totalCount: (parent: { totalCount: () => Promise<number> }) => parent.totalCount() };

export const typeResolvers: TypeResolvers = {
  Decision: {
    decision: (d) => (d.decision === 'allow' ? 'ALLOW' : 'DENY'),
    identity: (d, _args, context) => (d.username && !d.usernameClaimed ? context.loaders.identityByUsername.load(d.username) : null),
    credential: (d, _args, context) => (d.credentialFingerprint ? context.loaders.credentialByFingerprint.load(d.credentialFingerprint) : null),
    // bigint as decimal text, like the other 64-bit counters of the schema.
    sequence: (d) => (d.sequence === null ? null : String(d.sequence)),
    chain: (d) => (d.chain === null ? null : { ...d.chain, sequence: String(d.chain.sequence) }),
  },
  NormalizedField: {
    action: (n) => (n.action === 'truncated' ? 'TRUNCATED' : 'REPLACED'),
  },
  DecisionCaller: {
    // The event leaves `proxies` out when the client called directly.
    proxies: (c) => c.proxies ?? [],
  },
  ProducerSequence: {
    state: (p) => (p.state === null ? null : PRODUCER_STATES[p.state]),
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
    // Three separate facts, summed once in libs/read-model: missing sequence numbers per boot,
    // the producers' own drops (already among the missing ones), what the projector dead-lettered.
    sequenceGaps: (h) => h.totals.sequenceGaps,
    deadLettered: (h) => h.totals.deadLettered,
    droppedEvents: (h) => h.totals.droppedEvents,
  },
  DecisionConnection: totalCount,
  IdentityConnection: totalCount,
  CredentialConnection: totalCount,
  PolicyConnection: totalCount,
  RevocationConnection: totalCount,
};
