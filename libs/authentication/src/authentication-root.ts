// Everything one service needs to turn requests into decisions (issue #15 item 1): the strategy
// chain (chain.ts), policy, revocations and throttling from the control topic, the fingerprint
// keys, and a producer boot of its own (sequence ledger, status events). authn and graphql-api
// both start here, so a GraphQL caller meets the same chain order, the same cache (fingerprints,
// never secrets), the same policy and the same throttle as an authn request.
import { hostname } from 'node:os';
import type { AuthnConfig, AuthtrailConfig } from '@authtrail/config';
import type { Publisher, Subscriber } from '@authtrail/event-bus';
import { eventSource, newEventId, type Fingerprinter } from '@authtrail/events';
import type { Logger } from 'pino';
import { composeChain, type ComposedChain, type StrategyRegistry } from './chain';
import { createDecisionService, type DecisionMetrics, type DecisionService } from './decision.service';
import { startProducerBoot, type ProducerBoot } from './events/producer-boot';
import { createProducerStatusReporter } from './events/producer-status';
import { ledgerFileOf } from './events/sequence-ledger';
import { startProducerChain } from './events/producer-chain';
import type { ChainedPublisher } from './events/chained-publisher';
import { fingerprinterFor } from './fingerprint-key';
import { noopPolicyHook, type PolicyHook } from './policy-hook';
import { createPolicyControl, type PolicyControl } from './policy/policy-control';

export type DecidingService = 'authn' | 'graphql-api';

export interface AuthenticationRootDeps {
  /** Names the CloudEvents source, the ledger folder and the control consumer group. */
  readonly service: DecidingService;
  readonly instance: string;
  readonly publisher: Publisher;
  /** For replaying control events (policy, revocations); absent (and no `policy`): allow-all, unit tests only. */
  readonly subscriber?: Subscriber;
  readonly logger: Logger;
  readonly registry: StrategyRegistry;
  /** Replaces the control-topic policy (tests). */
  readonly policy?: PolicyHook;
  readonly fingerprinter?: Fingerprinter;
  readonly now?: () => Date;
  /** The chain's strategies: `authn` of the config (default), or graphql-api's own list and its config path. */
  readonly chain?: { readonly authn: AuthnConfig; readonly path: string };
}

export interface AuthenticationRoot {
  readonly service: DecidingService;
  readonly instance: string;
  readonly chain: ComposedChain;
  readonly fingerprinter: Fingerprinter;
  readonly fingerprint: (secret: string) => string;
  /** The fingerprint under every configured key, writing key first (revocations made under a key being rotated out). */
  readonly candidates: (secret: string) => readonly string[];
  readonly usernameHash: (username: string) => string;
  readonly policy?: PolicyHook;
  /** Publishes this boot's events, hash-chained, with signed checkpoints (docs/integrity.md). */
  readonly events: ChainedPublisher;
  /** False until the control topic has been replayed (drives /readyz); absent without control. */
  readonly ready?: () => boolean;
  /** What is not loaded yet (for /readyz's body), or undefined when ready; absent without control. */
  readonly notReady?: () => string | undefined;
  readonly producer: ProducerBoot;
  /** A decision service over this root (one per root: it hands out the producer's sequence numbers). */
  decisions(metrics: DecisionMetrics): DecisionService;
  /** Before serving: `lost` for an unfinished previous boot, then `running` and the heartbeat. */
  announce(): Promise<void>;
  /** While serving (not ready): replays the control topic, then follows it live. */
  loadControl(): void;
  /** After the service stopped answering: flush, `stopped`, control subscription and strategies closed. */
  close(flushMs: number): Promise<void>;
}

/** graphql-api's producer instance next to authn's on the same host (`npm start`): `graphql-api@<authn instance>`. */
export function graphqlInstanceOf(config: Pick<AuthtrailConfig, 'authn'>): string {
  return `graphql-api@${config.authn.instance ?? hostname()}`;
}

export async function startAuthentication(config: AuthtrailConfig, deps: AuthenticationRootDeps): Promise<AuthenticationRoot> {
  const { service, instance, logger } = deps;
  const fingerprinter = deps.fingerprinter ?? fingerprinterFor(config);
  const fingerprint = (secret: string) => fingerprinter.fingerprint(secret);
  const usernameHash = (name: string) => fingerprinter.usernameHash(name);
  const now = deps.now ?? (() => new Date());
  const candidates = (secret: string) => fingerprinter.candidates(secret);
  // The same functions as the cache's and the decision's: one memo, one HMAC per request.
  const strategyDeps = { logger: logger.child({ component: 'strategies' }), ...(deps.now ? { now: deps.now } : {}), fingerprints: { fingerprint, candidates } };
  const chain = await composeChain(deps.chain?.authn ?? config.authn, deps.registry, strategyDeps, { fingerprint, candidates, path: deps.chain?.path ?? 'authn.strategies' });
  const source = eventSource(service, instance);
  const ledgerFile = ledgerFileOf(config.dataDir, instance, service);
  const producer = startProducerBoot({
    instance,
    boot: newEventId(now()),
    ledgerFile,
    onUnreadableLedger: (file) => logger.warn({ file }, 'the sequence ledger of the previous boot is unreadable; nothing is reported about that boot'),
  });
  // Every event this boot publishes goes through its hash chain (docs/integrity.md).
  const events = startProducerChain(config, { instance, boot: producer.boot, ledgerFile, publisher: deps.publisher, source, newEventId, now, logger });
  // With a subscriber, policy and revocations come from the control topic (DESIGN §7).
  const control: PolicyControl | undefined =
    deps.policy || !deps.subscriber
      ? undefined
      : createPolicyControl({
          subscriber: deps.subscriber,
          publisher: deps.publisher,
          events,
          ...(config.policy.file ? { initialPolicyFile: config.policy.file } : {}),
          instance,
          service,
          source,
          keyIds: fingerprinter.keyIds,
          // authn.startDegraded: false (default) refuses with 503 until policy and revocations are loaded.
          refuseUntilLoaded: !config.authn.startDegraded,
          logger,
          ...(deps.now ? { now: deps.now } : {}),
        });
  const policy = deps.policy ?? control;
  const status = createProducerStatusReporter({ producer, publisher: deps.publisher, events, heartbeatIntervalMs: config.events.heartbeatInterval, source, newEventId, now, logger });
  let controlLoaded: Promise<void> | undefined;
  let closing = false;

  return {
    service,
    instance,
    chain,
    fingerprinter,
    fingerprint,
    candidates,
    usernameHash,
    ...(policy ? { policy } : {}),
    ...(control ? { ready: () => control.ready(), notReady: () => control.notReady() } : {}),
    producer,
    events,
    decisions: (metrics) =>
      createDecisionService({
        chain: chain.chain,
        policy: policy ?? noopPolicyHook,
        publisher: deps.publisher,
        events,
        eventsMode: config.events.mode,
        fingerprint,
        candidates,
        usernameHash,
        instance,
        service,
        producer,
        newEventId,
        now,
        metrics,
        logger,
      }),
    announce: () => status.start(),
    loadControl() {
      // A failure here is fatal to readiness only.
      // Kafka unreachable at boot is waited for inside start() (the bus retries with backoff).
      controlLoaded ??= control?.start().catch((error: unknown) => {
        // Closed while still waiting for Kafka: nothing to report.
        if (closing) logger.info('shutting down before the control state was loaded');
        else logger.error({ err: error }, 'control state could not be loaded; /readyz stays false');
      });
    },
    async close(flushMs) {
      await deps.publisher.flush(flushMs).catch((error: unknown) => logger.warn({ err: error }, 'event flush incomplete'));
      // After the decision events: `stopped` says how far this boot got; the ledger is marked
      // clean only once that event is delivered.
      // The last checkpoint covers `stopped` too: everything this boot published is signed for.
      await status.stop(async () => {
        await events.checkpoint();
        await deps.publisher.flush(flushMs);
      });
      events.close();
      producer.close();
      closing = true;
      // A start still waiting for Kafka is not awaited: it ends when the bus closes (after this).
      if (control?.ready()) await controlLoaded;
      await control?.stop();
      await chain.close();
    },
  };
}
