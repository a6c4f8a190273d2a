// The one path every endpoint takes, in authn and in graphql-api (DESIGN §6): request view →
// throttle admission → chain → policy hook → one decision event → answer. Routes and the GraphQL
// server only translate their protocol to a view and the decision back.
import { TOPICS, type DecisionEndpoint, type ReasonCode } from '@authtrail/events';
import { PublishError, type Publisher } from '@authtrail/event-bus';
import { fingerprinted, requestFingerprints, type Attempt, type AuthOutcome, type CredentialDescription, type RequestView, type UserInfo } from '@authtrail/strategies';
import type { Logger } from 'pino';
import { toDecisionEvent, type DecisionRequestFacts, type DecisionResult } from './events/decision-event';
import { plainEventPublisher, type EventPublisher } from './events/chained-publisher';
import type { DecisionProducer } from './events/producer-boot';
import type { PolicyHook, PolicyInput, PolicyVerdict } from './policy-hook';
import type { BuiltView } from './request-view/request-view';
import { throttleKeyOf } from './throttle-key';
import type { Mutable } from './mutable';

/** What the decision path reports to the service's metrics (authn: Prometheus; may be a no-op). */
export interface DecisionMetrics {
  recordDecision(endpoint: DecisionEndpoint, decision: 'allow' | 'deny', reason: ReasonCode, strategy: string | undefined, seconds: number): void;
  recordAttempts(attempts: readonly Attempt[]): void;
  recordPublishFailure(): void;
}

export const noDecisionMetrics: DecisionMetrics = { recordDecision: () => undefined, recordAttempts: () => undefined, recordPublishFailure: () => undefined };

/** The composed chain (chain.ts): first match, groups, cache; returns the attempt trace. */
export interface AuthChain {
  authenticateWithTrace(request: RequestView): Promise<Traced>;
}

type Traced = { readonly outcome: AuthOutcome; readonly attempts: readonly { readonly strategy: string; readonly outcome: AuthOutcome['kind']; readonly reason?: ReasonCode }[]; readonly strategy?: string; readonly cached?: true };

export interface DecisionServiceDeps {
  readonly chain: AuthChain;
  readonly policy: PolicyHook;
  readonly publisher: Publisher;
  /** The producer's chained publisher (events/chained-publisher.ts); absent: `publisher`, unchained (tests). */
  readonly events?: EventPublisher;
  readonly eventsMode: 'buffered' | 'strict';
  readonly fingerprint: (secret: string) => string;
  /** The fingerprint under every configured key, writing key first (revocations survive key rotation). */
  readonly candidates?: (secret: string) => readonly string[];
  readonly usernameHash: (username: string) => string;
  readonly instance: string;
  /** CloudEvents source service of the events: `authn` (default) or `graphql-api`. */
  readonly service?: string;
  /** Boot id, sequence numbers (recorded in the ledger) and this boot's drop count. */
  readonly producer: DecisionProducer;
  readonly newEventId: (now: Date) => string;
  readonly now: () => Date;
  readonly metrics: DecisionMetrics;
  readonly logger: Logger;
}

export interface Decision {
  readonly id: string;
  readonly result: DecisionResult;
  /** Audiences the credential is valid for, when the strategy knows (JWTs). */
  readonly audiences?: readonly string[];
  readonly retryAfterSeconds?: number;
  /**
   * The caller must get a 503 instead of the decision: strict mode and Kafka did not acknowledge
   * the event, or the service is not ready (`result.reason` is `upstream_unavailable` and
   * `result.message` says what is missing; that refusal itself is recorded).
   */
  readonly unrecorded: boolean;
  /** What the chain said (`refused`: no strategy ran — unusable input or throttled at admission). */
  readonly outcome: AuthOutcome['kind'] | 'refused';
}

export interface DecisionService {
  decide(endpoint: DecisionEndpoint, built: BuiltView, startedNs: bigint): Promise<Decision>;
  /** A request that never reached a strategy (bad JSON, wrong type, too large): still one event. */
  refuse(endpoint: DecisionEndpoint, facts: Omit<DecisionRequestFacts, 'endpoint'>, httpStatus: number, reason: ReasonCode, message: string, startedNs: bigint): Promise<Decision>;
}

export function createDecisionService(deps: DecisionServiceDeps): DecisionService {
  const events = deps.events ?? plainEventPublisher(deps.publisher);
  const record = async (result: DecisionResult, facts: DecisionRequestFacts, startedNs: bigint): Promise<{ id: string; unrecorded: boolean }> => {
    const now = deps.now();
    const id = deps.newEventId(now);
    const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
    const event = toDecisionEvent(result, facts, {
      now,
      id,
      instance: deps.instance,
      ...(deps.service !== undefined ? { service: deps.service } : {}),
      boot: deps.producer.boot,
      sequence: deps.producer.nextSequence(),
      dropped: deps.producer.dropped(),
      latencyMicros: seconds * 1e6,
      fingerprint: deps.fingerprint,
      usernameHash: deps.usernameHash,
    });
    deps.metrics.recordDecision(facts.endpoint, result.decision, result.reason, result.strategy, seconds);
    deps.metrics.recordAttempts(result.attempts);
    // The ledger must hold this sequence before the event can reach Kafka or the caller its answer.
    await deps.producer.ledgerWritten();
    try {
      const published = await events.publish(TOPICS.decisions, event);
      // Memory buffer and spool full: counted on the next events and the status reports.
      if (published.dropped) deps.producer.recordDrop();
      return { id, unrecorded: false };
    } catch (error) {
      deps.metrics.recordPublishFailure();
      deps.logger.error({ decisionId: id, err: error }, 'decision event not published');
      // Refused before it was handed to Kafka, so never recorded: a drop the producer counts (a
      // strict caller gets a 503). Only `delivery_unknown` (closing, spool write failed) may
      // still have landed, so it is not counted.
      if (!(error instanceof PublishError && error.code === 'delivery_unknown')) deps.producer.recordDrop();
      // buffered mode never makes the caller wait for Kafka; strict mode refuses to answer unrecorded.
      return { id, unrecorded: deps.eventsMode === 'strict' };
    }
  };

  return {
    async decide(endpoint, built, startedNs) {
      const { view } = built;
      const facts = requestFactsOf(endpoint, built);
      if (built.problem) {
        const result: DecisionResult = { decision: 'deny', httpStatus: 401, reason: built.problem.reason, message: built.problem.message, attempts: [] };
        return { ...(await record(result, facts, startedNs)), result, outcome: 'refused' };
      }

      // One HMAC of the presented credential serves the throttle key, the cache key and the
      // event's fingerprint (request-fingerprints.ts): whichever asks first computes it.
      const fingerprints = requestFingerprints(view, deps);
      // Throttle first: a blocked address or credential is refused before any strategy runs.
      const throttleKey = deps.policy.admit ? throttleKeyOf(view, { fingerprint: fingerprints.fingerprint, usernameHash: deps.usernameHash }) : undefined;
      const admission = deps.policy.admit?.({ endpoint, request: view, ...(throttleKey !== undefined ? { throttleKey } : {}) });
      if (admission?.deny) return refusedAtAdmission(admission, facts, startedNs);

      const traced = await deps.chain.authenticateWithTrace(view);
      const { outcome } = traced;
      // The policy hook and the event both need the fingerprint: none left to compute when the
      // cache stored it or the throttle key was this token's.
      const presented = outcome.kind === 'abstained' ? undefined : outcome.credential;
      const credential = presented ? fingerprinted(presented, fingerprints.fingerprint, fingerprints.candidates) : undefined;
      const input: Mutable<PolicyInput> = { endpoint, request: view, outcome };
      if (traced.strategy !== undefined) input.strategy = traced.strategy;
      if (credential?.fingerprint) input.credentialFingerprint = credential.fingerprint;
      if (credential?.fingerprints) input.credentialFingerprints = credential.fingerprints;
      if (throttleKey !== undefined) input.throttleKey = throttleKey;
      // A hook that answers at once is not awaited: no extra turn of the microtask queue.
      const evaluated = deps.policy.evaluate(input);
      const verdict = evaluated instanceof Promise ? await evaluated : evaluated;

      const result = resultOf(traced, credential, verdict);
      const recorded = await record(result, facts, startedNs);
      const decision: Mutable<Decision> = { id: recorded.id, unrecorded: recorded.unrecorded, result, outcome: outcome.kind };
      if (outcome.kind === 'authenticated' && outcome.audiences) decision.audiences = outcome.audiences;
      if (verdict.deny?.retryAfterSeconds !== undefined) decision.retryAfterSeconds = verdict.deny.retryAfterSeconds;
      return decision;
    },

    async refuse(endpoint, facts, httpStatus, reason, message, startedNs) {
      const result: DecisionResult = { decision: 'deny', httpStatus, reason, message, attempts: [] };
      return { ...(await record(result, { ...facts, endpoint }, startedNs)), result, outcome: 'refused' };
    },
  };

  async function refusedAtAdmission(verdict: PolicyVerdict, facts: DecisionRequestFacts, startedNs: bigint): Promise<Decision> {
    const deny = verdict.deny;
    if (!deny) throw new Error('admission refused without a denial');
    const result: DecisionResult = {
      decision: 'deny',
      httpStatus: deny.httpStatus ?? 429,
      reason: deny.reason,
      message: deny.message,
      attempts: [],
      policy: { version: verdict.version ?? 0, effects: verdict.effects },
    };
    const recorded = await record(result, facts, startedNs);
    return {
      id: recorded.id,
      // Not ready (policy and revocations not loaded): a 503, like an unrecorded decision.
      unrecorded: recorded.unrecorded || deny.reason === 'upstream_unavailable',
      result,
      outcome: 'refused',
      ...(deny.retryAfterSeconds !== undefined ? { retryAfterSeconds: deny.retryAfterSeconds } : {}),
    };
  }
}

/** The decision from the chain's trace and the policy's verdict, member by member (no spread temporaries). */
function resultOf(traced: Traced, credential: CredentialDescription | undefined, verdict: PolicyVerdict): DecisionResult {
  const { outcome } = traced;
  const denied = verdict.deny;
  const result = { attempts: traced.attempts } as Mutable<DecisionResult>;
  if (traced.strategy !== undefined) result.strategy = traced.strategy;
  if (credential) result.credential = credential;
  if (verdict.version !== undefined) result.policy = { version: verdict.version, effects: verdict.effects };
  else if (verdict.effects.length > 0) result.policy = { version: 0, effects: verdict.effects };
  if (traced.cached) result.cached = true;
  if (outcome.kind === 'authenticated') {
    result.decision = denied ? 'deny' : 'allow';
    result.httpStatus = denied ? (denied.httpStatus ?? 403) : 200;
    result.reason = denied ? denied.reason : 'ok';
    if (denied) result.message = denied.message;
    result.user = outcome.user;
    return result;
  }
  const denial = denialOf(outcome);
  result.decision = 'deny';
  result.httpStatus = denied?.httpStatus ?? 401;
  result.reason = denied?.reason ?? denial.reason;
  result.message = denied?.message ?? denial.message;
  if (outcome.kind === 'rejected' && outcome.claimedUsername) result.claimedUsername = outcome.claimedUsername;
  if (outcome.kind === 'rejected' && outcome.typedUsername) result.typedUsername = outcome.typedUsername;
  return result;
}

/** What the event says about the request, member by member. */
function requestFactsOf(endpoint: DecisionEndpoint, built: BuiltView): DecisionRequestFacts {
  const { view } = built;
  const facts: Mutable<DecisionRequestFacts> = { endpoint, sourceIp: view.sourceIp, forwardedFor: built.forwardedFor };
  if (view.userAgent !== undefined) facts.userAgent = view.userAgent;
  facts.method = view.method;
  facts.path = view.path;
  facts.tls = view.tls;
  // Who sent the request (hop and proxies): recorded only, the chain never sees it.
  if (built.caller) facts.caller = built.caller;
  return facts;
}

function denialOf(outcome: AuthOutcome): { reason: ReasonCode; message: string } {
  switch (outcome.kind) {
    case 'rejected':
    case 'errored':
      return { reason: outcome.reason, message: outcome.message };
    case 'abstained':
      return { reason: 'no_credentials', message: 'no credentials presented' };
    case 'authenticated':
      return { reason: 'ok', message: '' };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

export type { UserInfo, CredentialDescription };
