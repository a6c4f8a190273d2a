// The projection as a pure function: events (already deduplicated, each applied exactly once)
// → per-key changes. Every decision change merges commutatively with what the tables hold (sums,
// min/max, latest by (time, id)), so the order of batches and partitions does not matter and a
// replay yields the same rows. Control changes are compare-and-set (policy versions, revocations,
// lifts: docs/policy.md): they keep the topic order of their partition, and the write side
// judges them against the stored state with the rules authn's PolicyState applies. Which events
// are "new" is decided by the event tables' primary keys, before this runs.
import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  DECISION_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  INTEGRITY_CHECKPOINT_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  type AuthtrailEvent,
  type DecisionEvent,
  type ProducerStatusEvent,
} from '@authtrail/events';
import type {
  CredentialChange,
  FailureBucketChange,
  IdentityChange,
  PolicyVersionRow,
  ProducerSequenceChange,
  ReadModelChanges,
  RevocationLifted,
  RevocationRevoked,
} from '@authtrail/read-model';
import { compilePolicy } from '@authtrail/policy';
import { canonicalTime, inetOrNull, isoOrNull } from './event.rows';

export const NO_CHANGES: ReadModelChanges = {
  identities: [],
  credentials: [],
  failureBuckets: [],
  policyClaims: [],
  revocationsRevoked: [],
  revocationsLifted: [],
  revocationsLiftedAfterRevoked: [],
  producerSequences: [],
};

/** The identity kind from the Kubernetes username conventions. */
export function identityKind(username: string): 'user' | 'service_account' | 'bootstrap' | 'anonymous' {
  if (username.startsWith('system:serviceaccount:')) return 'service_account';
  if (username.startsWith('system:bootstrap:')) return 'bootstrap';
  if (username === 'system:anonymous') return 'anonymous';
  return 'user';
}

/** Orders events by (time, id), the tie-break the SQL merge uses too. */
function newer(aTime: string, aId: string, bTime: string, bId: string): boolean {
  return aTime > bTime || (aTime === bTime && aId > bId);
}

const minOf = (a: string, b: string): string => (a < b ? a : b);
const maxOf = (a: string, b: string): string => (a > b ? a : b);
/** min/max where null means "none yet" (as least/greatest treat NULL in the SQL merge). */
const minOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

export function minuteOf(time: string): string {
  const ms = Date.parse(time);
  return new Date(ms - (ms % 60_000)).toISOString();
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An evolve in progress: events are added as they become known, the changes are read once. */
export interface ReadModelEvolution {
  add(events: readonly AuthtrailEvent[]): void;
  changes(): ReadModelChanges;
}

export function evolve(events: readonly AuthtrailEvent[]): ReadModelChanges {
  if (events.length === 0) return NO_CHANGES;
  const evolution = startEvolution();
  evolution.add(events);
  return evolution.changes();
}

/**
 * The same fold, fed in parts (the batch handler adds each slice's new events as soon as the
 * database said which are new, so the decoded events need not stay alive until the batch ends).
 * Adding A then B gives the changes of evolve([...A, ...B]).
 */
export function startEvolution(): ReadModelEvolution {
  const identities = new Map<string, Mutable<IdentityChange> & { strategySet: Set<string> }>();
  const credentials = new Map<string, Mutable<CredentialChange> & { ipSet: Set<string> }>();
  const buckets = new Map<string, Mutable<FailureBucketChange>>();
  const producers = new Map<string, Mutable<ProducerSequenceChange>>();
  // Control events in the order they were added (the topic order of their partition).
  const policyClaims: PolicyVersionRow[] = [];
  const revoked = new Map<string, RevocationRevoked>();
  const liftedFirst = new Map<string, RevocationLifted>();
  const liftedAfterRevoked = new Map<string, RevocationLifted>();

  function add(events: readonly AuthtrailEvent[]): void {
    for (const event of events) {
      const time = canonicalTime(event.time);
      const id = event.id.toLowerCase();
      switch (event.type) {
        case DECISION_EVENT_TYPE:
          addDecision(event, time, id);
          break;
        case POLICY_APPLIED_EVENT_TYPE:
          // A document authn cannot compile never takes a version there (PolicyState): nor here.
          if (compilePolicy(event.data.document, event.data.version).ok) {
            policyClaims.push({
              version: event.data.version,
              document: event.data.document,
              appliedBy: event.data.appliedBy ?? null,
              comment: event.data.comment ?? null,
              appliedAt: time,
              eventId: id,
            });
          }
          break;
        case CREDENTIAL_REVOKED_EVENT_TYPE: {
          const d = event.data;
          // A revocation id is revoked once: the first event in topic order names it.
          if (!revoked.has(d.revocationId)) {
            revoked.set(d.revocationId, {
              revocationId: d.revocationId,
              fingerprint: d.fingerprint ?? null,
              jti: d.jti ?? null,
              certSerial: d.certificate?.serial ?? null,
              certIssuer: d.certificate?.issuer ?? null,
              reason: d.reason ?? null,
              revokedBy: d.revokedBy ?? null,
              revokedAt: time,
              expiresAt: isoOrNull(d.expiresAt),
            });
          }
          break;
        }
        case PRODUCER_STATUS_EVENT_TYPE:
          addProducerStatus(event, time, id);
          break;
        // Not projected yet: the chain is checked by `authtrail verify` (docs/integrity.md).
        case INTEGRITY_CHECKPOINT_EVENT_TYPE:
          break;
        case REVOCATION_LIFTED_EVENT_TYPE: {
          const d = event.data;
          const lift = { revocationId: d.revocationId, liftedAt: time, liftedBy: d.liftedBy ?? null, liftReason: d.reason ?? null, liftEventId: id };
          // The first lift applies if the revocation was stored before; the first after this
          // change's own revoked event applies if that event stored it (the write side knows which).
          if (!liftedFirst.has(d.revocationId)) liftedFirst.set(d.revocationId, lift);
          if (revoked.has(d.revocationId) && !liftedAfterRevoked.has(d.revocationId)) liftedAfterRevoked.set(d.revocationId, lift);
          break;
        }
        default: {
          const unknown: never = event;
          throw new Error(`evolve: unhandled event type ${(unknown as { type: string }).type}`);
        }
      }
    }
  }

  function addDecision(event: DecisionEvent, time: string, id: string): void {
    const d = event.data;
    const allowed = d.decision === 'allow';
    const sourceIp = inetOrNull(d.request.sourceIp);

    if (d.user) {
      const key = d.user.username;
      const row = identities.get(key);
      if (!row) {
        identities.set(key, {
          username: key,
          uid: d.user.uid ?? null,
          kind: identityKind(key),
          groups: d.user.groups,
          strategies: [],
          strategySet: new Set(d.strategy ? [d.strategy] : []),
          firstSeen: time,
          lastSeen: time,
          lastEventId: id,
          successCount: allowed ? 1 : 0,
          failureCount: allowed ? 0 : 1,
          lastSourceIp: sourceIp,
        });
      } else {
        if (d.strategy) row.strategySet.add(d.strategy);
        row.firstSeen = minOf(row.firstSeen, time);
        if (newer(time, id, row.lastSeen, row.lastEventId)) {
          row.uid = d.user.uid ?? null;
          row.kind = identityKind(key);
          row.groups = d.user.groups;
          row.lastSourceIp = sourceIp;
          row.lastSeen = time;
          row.lastEventId = id;
        }
        if (allowed) row.successCount += 1;
        else row.failureCount += 1;
      }
    }

    const fingerprint = d.credential?.fingerprint;
    if (d.credential && fingerprint) {
      const c = d.credential;
      const latest = {
        type: c.type,
        strategy: d.strategy ?? null,
        username: d.user?.username ?? null,
        publicId: c.publicId ?? null,
        issuer: c.issuer ?? null,
        expiresAt: isoOrNull(c.expiresAt),
      };
      const row = credentials.get(fingerprint);
      if (!row) {
        credentials.set(fingerprint, {
          fingerprint,
          ...latest,
          firstUsed: time,
          lastUsed: time,
          lastEventId: id,
          useCount: allowed ? 1 : 0,
          failureCount: allowed ? 0 : 1,
          sourceIps: [],
          ipSet: new Set(sourceIp ? [sourceIp] : []),
        });
      } else {
        row.firstUsed = minOf(row.firstUsed, time);
        if (newer(time, id, row.lastUsed, row.lastEventId)) Object.assign(row, latest, { lastUsed: time, lastEventId: id });
        if (allowed) row.useCount += 1;
        else row.failureCount += 1;
        if (sourceIp) row.ipSet.add(sourceIp);
      }
    }

    if (!allowed) {
      const bucket = {
        minute: minuteOf(time),
        sourceIp,
        reason: d.reason,
        strategy: d.strategy ?? null,
        username: d.user?.username ?? d.claimedUsername ?? null,
        credentialFingerprint: fingerprint ?? null,
        usernameHash: d.claimedUsernameHash ?? null,
      };
      const key = JSON.stringify(Object.values(bucket));
      const row = buckets.get(key);
      if (!row) buckets.set(key, { ...bucket, count: 1, firstSeen: time, lastSeen: time });
      else {
        row.count += 1;
        row.firstSeen = minOf(row.firstSeen, time);
        row.lastSeen = maxOf(row.lastSeen, time);
      }
    }

    mergeProducer({
      instance: d.instance,
      // Events without a boot (older producers) share the boot '' and the old min-based gap rule.
      boot: d.boot ?? '',
      minSequence: d.sequence,
      maxSequence: d.sequence,
      received: 1,
      reportedLastSequence: null,
      dropped: d.dropped ?? 0,
      state: null,
      stateAt: null,
      stateEventId: null,
      firstSeen: time,
      lastSeen: time,
    });
  }

  /** What a producer boot said about itself: how far its sequence got, its drops, its state. */
  function addProducerStatus(event: ProducerStatusEvent, time: string, id: string): void {
    const d = event.data;
    mergeProducer({
      instance: d.instance,
      boot: d.boot,
      minSequence: null,
      maxSequence: null,
      received: 0,
      reportedLastSequence: d.lastSequence,
      dropped: d.dropped,
      state: d.state,
      stateAt: time,
      stateEventId: id,
      firstSeen: time,
      lastSeen: time,
    });
  }

  /** The same merge as upsertProducerSequences in SQL: min/max, sum of received, newest state. */
  function mergeProducer(change: ProducerSequenceChange): void {
    // A boot is '' or a UUID (no '/'), so the first '/' ends it: one key per (instance, boot).
    const key = `${change.boot}/${change.instance}`;
    const row = producers.get(key);
    if (!row) {
      producers.set(key, { ...change });
      return;
    }
    row.minSequence = minOrNull(row.minSequence, change.minSequence);
    row.maxSequence = maxOrNull(row.maxSequence, change.maxSequence);
    row.received += change.received;
    row.reportedLastSequence = maxOrNull(row.reportedLastSequence, change.reportedLastSequence);
    row.dropped = Math.max(row.dropped, change.dropped);
    if (change.stateAt !== null && change.stateEventId !== null) {
      if (row.stateAt === null || row.stateEventId === null || newer(change.stateAt, change.stateEventId, row.stateAt, row.stateEventId)) {
        row.state = change.state;
        row.stateAt = change.stateAt;
        row.stateEventId = change.stateEventId;
      }
    }
    row.firstSeen = minOf(row.firstSeen, change.firstSeen);
    row.lastSeen = maxOf(row.lastSeen, change.lastSeen);
  }

  function changes(): ReadModelChanges {
    return {
      identities: [...identities.values()].map(({ strategySet, ...row }) => ({ ...row, strategies: [...strategySet].sort() })),
      credentials: [...credentials.values()].map(({ ipSet, ...row }) => ({ ...row, sourceIps: [...ipSet] })),
      failureBuckets: [...buckets.values()],
      policyClaims: [...policyClaims],
      revocationsRevoked: [...revoked.values()],
      revocationsLifted: [...liftedFirst.values()],
      revocationsLiftedAfterRevoked: [...liftedAfterRevoked.values()],
      producerSequences: [...producers.values()],
    };
  }

  return { add, changes };
}
