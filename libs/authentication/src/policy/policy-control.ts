// Policy, revocations and throttling for one authn or graphql-api instance (DESIGN §7): the
// control topic is replayed at start (readiness waits for it), the initial policy file becomes
// version 1 when the topic has none, and new control events are applied live. Evaluation itself
// is libs/policy's pure function; the throttle is asked first (`admit`), before any strategy.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Publisher, Subscriber, Subscription } from '@authtrail/event-bus';
import {
  controlEvent,
  CREDENTIAL_REVOKED_EVENT_TYPE,
  decodeEvent,
  DECISION_EVENT_TYPE,
  newEventId,
  POLICY_APPLIED_EVENT_TYPE,
  PRODUCER_PARTITION_KEY_PREFIX,
  PRODUCER_STATUS_EVENT_TYPE,
  TOPICS,
  type AuthtrailEvent,
  type PolicyControlEvent,
} from '@authtrail/events';
import { compilePolicy, evaluatePolicy, FailureThrottle, PolicyState, throttleDenialOf, throttledSourceIp } from '@authtrail/policy';
import type { Logger } from 'pino';
import { plainEventPublisher, type EventPublisher } from '../events/chained-publisher';
import type { AdmissionInput, PolicyHook, PolicyInput, PolicyVerdict } from '../policy-hook';
import { toPolicyInput } from './policy-input.adapter';
import type { Mutable } from '../mutable';

export interface PolicyControlDeps {
  readonly subscriber: Subscriber;
  readonly publisher: Publisher;
  /** The producer's chained publisher, for the initial policy; absent: `publisher`, unchained (tests). */
  readonly events?: EventPublisher;
  /** The config's `policy.file`: applied as version 1 when the control topic holds no policy. */
  readonly initialPolicyFile?: string;
  readonly instance: string;
  /** `authn` (default) or `graphql-api`: names the consumer group and who seeded the initial policy. */
  readonly service?: string;
  /** CloudEvents source for the initial policy event. */
  readonly source: string;
  /** The configured fingerprint key ids: revocations by fingerprint under any other key are reported. */
  readonly keyIds?: readonly string[];
  /**
   * Until the control topic is loaded, refuse every request at admission with 503
   * `upstream_unavailable` (without the revocation list a revoked credential would pass).
   * False (`authn.startDegraded: true`): decide without policy and revocations meanwhile.
   */
  readonly refuseUntilLoaded?: boolean;
  /** How long start() waits for the seeded initial policy to come back from the topic (default 30 s). */
  readonly seedTimeoutMs?: number;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface PolicyControl extends PolicyHook {
  readonly state: PolicyState;
  /** True once the control topic has been replayed. */
  ready(): boolean;
  /** What is still missing while not ready (`policy and revocations: …`), undefined once ready. */
  notReady(): string | undefined;
  /** Replays the control topic, seeds the initial policy, then follows the topic live. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createPolicyControl(deps: PolicyControlDeps): PolicyControl {
  const now = deps.now ?? (() => new Date());
  const service = deps.service ?? 'authn';
  const logger = deps.logger.child({ component: 'policy' });
  const state = new PolicyState();
  const throttle = new FailureThrottle(() => state.policy.throttle);
  // Ids applied during the replay: the live subscription starts from the beginning too (so no
  // event between the replay and the subscription is missed) and must not apply them twice —
  // a revocation re-applied after its lift would refuse a credential for a moment.
  const replayed = new Set<string>();
  let loaded = false;
  // Where start() is, for /readyz and the 503s before it is done.
  let phase = 'not started';
  let stopped = false;
  let subscription: Subscription | undefined;

  const notReady = (): string | undefined => (loaded ? undefined : `policy and revocations not loaded from ${TOPICS.control} (${phase})`);

  // A fingerprint is an HMAC under one key: once that key is removed from the config, nothing
  // computes it any more and the revocation silently stops matching (docs/policy.md).
  const warnRetiredKeys = () => {
    const keyIds = deps.keyIds;
    if (!keyIds) return;
    const stale = state.revocations.underRetiredKeys(keyIds, now());
    if (stale.length > 0) {
      logger.warn({ revocationIds: stale.map((r) => r.revocationId), keyIds }, 'revocations by fingerprint under a key that is no longer configured do not match any more: re-revoke under a current key');
    }
  };

  const apply = (event: PolicyControlEvent, live: boolean) => {
    const outcome = state.apply(event);
    if (outcome.applied) {
      if (live) logger.info({ type: event.type, id: event.id, policyVersion: state.policy.version, revocations: state.revocations.size }, 'control event applied');
      if (live && event.type === CREDENTIAL_REVOKED_EVENT_TYPE) warnRetiredKeys();
    } else {
      logger.warn({ type: event.type, id: event.id, error: outcome.error }, 'control event not applied');
    }
  };

  const controlEventOf = (record: { readonly key: string | null; readonly value: Buffer | null }): PolicyControlEvent | undefined => {
    // Producer status events (heartbeats of every instance) share the topic but say nothing
    // about policy: skipped by their key, without decoding them, so a long history of
    // heartbeats costs the replay at start little.
    if (record.key?.startsWith(PRODUCER_PARTITION_KEY_PREFIX)) return undefined;
    const decoded = decodeEvent(record.value);
    if (!decoded.ok) {
      logger.warn({ reason: decoded.reason }, 'undecodable record on the control topic skipped');
      return undefined;
    }
    return isPolicyControlEvent(decoded.event) ? decoded.event : undefined;
  };

  async function seedInitialPolicy(file: string): Promise<void> {
    const document = readFileSync(file, 'utf8');
    const compiled = compilePolicy(document, 1);
    if (!compiled.ok) throw new Error(`policy.file ${file}: ${compiled.errors.join('; ')}`);
    const time = now();
    const event = controlEvent({
      id: newEventId(time),
      time,
      source: deps.source,
      type: POLICY_APPLIED_EVENT_TYPE,
      data: { version: 1, document, appliedBy: `${service}/${deps.instance}`, comment: `initial policy from ${file}` },
    });
    // Two instances starting on an empty topic may both publish version 1: the topic decides
    // (the first in topic order wins everywhere, compare-and-set), so the own seed is not applied
    // here — the live subscription applies whichever version 1 won.
    await (deps.events ?? plainEventPublisher(deps.publisher)).publish(TOPICS.control, event);
    logger.info({ file }, 'initial policy published as version 1');
  }

  async function untilPolicyApplied(): Promise<void> {
    const deadline = Date.now() + (deps.seedTimeoutMs ?? 30_000);
    while (state.policy.version < 1) {
      if (Date.now() > deadline) throw new Error('the initial policy did not come back from the control topic in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    state,
    ready: () => loaded,
    notReady,

    admit(input: AdmissionInput): PolicyVerdict | undefined {
      const missing = deps.refuseUntilLoaded ? notReady() : undefined;
      if (missing !== undefined) return { effects: [], deny: { reason: 'upstream_unavailable', message: `not ready: ${missing}`, httpStatus: 503 } };
      const request = { endpoint: input.endpoint, sourceIp: input.request.sourceIp };
      const denial = throttleDenialOf(throttle, { sourceIp: throttledSourceIp({ request }), credential: input.throttleKey }, now().getTime());
      return denial ? { version: state.policy.version, effects: [denial.effect], deny: denial.denial } : undefined;
    },

    evaluate(input: PolicyInput): PolicyVerdict {
      const at = now();
      const policyInput = toPolicyInput(input);
      const verdict = evaluatePolicy(policyInput, { policy: state.policy, revocations: state.revocations, throttle, now: at });
      // Failed credentials feed the throttle, under the same keys `admit` checks; "no
      // credentials" does not (probes are not attacks).
      if (input.outcome.kind === 'rejected') {
        throttle.recordFailure({ sourceIp: throttledSourceIp(policyInput), fingerprint: input.throttleKey ?? input.credentialFingerprint }, at.getTime());
      }
      const answer: Mutable<PolicyVerdict> = { version: verdict.version, effects: verdict.effects };
      if (verdict.deny) answer.deny = verdict.deny;
      return answer;
    },

    async start() {
      phase = 'reading the control topic; waits while Kafka is unreachable';
      const count = await deps.subscriber.readToEnd(TOPICS.control, (record) => {
        const event = controlEventOf(record);
        if (!event) return;
        replayed.add(event.id);
        apply(event, false);
      });
      warnRetiredKeys();
      const seeded = state.policy.version === 0 && deps.initialPolicyFile !== undefined;
      if (seeded && deps.initialPolicyFile) await seedInitialPolicy(deps.initialPolicyFile);
      phase = 'following the control topic';
      subscription = await deps.subscriber.subscribe({
        // One group per instance and start: every instance must see every control event.
        groupId: `authtrail-${service}-control.${deps.instance}.${randomUUID()}`,
        topics: [TOPICS.control],
        fromBeginning: true,
        handleBatch: async (batch) => {
          for (const record of batch.records) {
            const event = controlEventOf(record);
            if (!event || replayed.has(event.id)) continue;
            apply(event, true);
          }
        },
      });
      // stop() came while this start was still waiting for Kafka.
      if (stopped) {
        await subscription.stop();
        return;
      }
      phase = 'waiting for the initial policy to come back from the control topic';
      if (seeded) await untilPolicyApplied();
      loaded = true;
      logger.info({ replayed: count, policyVersion: state.policy.version, revocations: state.revocations.size }, 'control state loaded');
    },

    async stop() {
      stopped = true;
      await subscription?.stop();
    },
  };
}

function isPolicyControlEvent(event: AuthtrailEvent): event is PolicyControlEvent {
  return event.type !== DECISION_EVENT_TYPE && event.type !== PRODUCER_STATUS_EVENT_TYPE;
}
