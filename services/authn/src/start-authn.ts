// Runs the authn service from a loaded config: composes the chain, listens on HTTP (and HTTPS
// when configured, client certificates requested but not required), and shuts down gracefully.
// Used by main.ts and, in-process, by the all-in-one `npm start`.
//
// Each start is a new producer boot (issue #14): a boot id, sequences from 1, the sequence
// ledger `<dataDir>/authn/<instance>.ledger`, `lost` for a previous boot that never stopped,
// `running` heartbeats every `events.heartbeatInterval`, and `stopped` after the final flush.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import type { AuthtrailConfig } from '@authtrail/config';
import type { Publisher, Subscriber } from '@authtrail/event-bus';
import type { Fingerprinter } from '@authtrail/events';
import { buildApp, type AuthnApp } from './app';
import { composeChain, type StrategyRegistry } from './chain';
import { fingerprinterFor } from './fingerprint-key';
import type { PolicyHook } from './policy-hook';
import { createPolicyControl, type PolicyControl } from './policy/policy-control';
import { eventSource, newEventId } from '@authtrail/events';
import { startProducerBoot } from './events/producer-boot';
import { createProducerStatusReporter } from './events/producer-status';
import { ledgerFileOf } from './events/sequence-ledger';

export interface StartAuthnDeps {
  readonly publisher: Publisher;
  /** For replaying control events (policy, revocations) at start: used by the policy hook. */
  readonly subscriber?: Subscriber;
  readonly logger: Logger;
  readonly registry: StrategyRegistry;
  readonly policy?: PolicyHook;
  readonly fingerprinter?: Fingerprinter;
  readonly ready?: () => boolean;
  readonly now?: () => Date;
}

export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

export interface RunningAuthn {
  readonly app: AuthnApp;
  readonly http: ListeningAddress;
  readonly https?: ListeningAddress;
  readonly instance: string;
  /** Stop accepting, finish in-flight requests (up to `limits.shutdownGrace`), flush events, close strategies. */
  close(): Promise<void>;
}

export async function startAuthn(config: AuthtrailConfig, deps: StartAuthnDeps): Promise<RunningAuthn> {
  const { authn } = config;
  const logger = deps.logger.child({ component: 'authn' });
  const instance = authn.instance ?? hostname();
  const fingerprinter = deps.fingerprinter ?? fingerprinterFor(config);
  const fingerprint = (secret: string) => fingerprinter.fingerprint(secret);
  const composed = await composeChain(authn, deps.registry, { logger: logger.child({ component: 'strategies' }), ...(deps.now ? { now: deps.now } : {}) }, fingerprint);
  // With a subscriber, policy and revocations come from the control topic (DESIGN §7); /readyz
  // stays false until it has been replayed.
  const control: PolicyControl | undefined =
    deps.policy || !deps.subscriber
      ? undefined
      : createPolicyControl({
          subscriber: deps.subscriber,
          publisher: deps.publisher,
          ...(config.policy.file ? { initialPolicyFile: config.policy.file } : {}),
          instance,
          source: eventSource('authn', instance),
          logger,
          ...(deps.now ? { now: deps.now } : {}),
        });
  const policy = deps.policy ?? control;
  const ready = deps.ready ?? (control ? () => control.ready() : undefined);
  const now = deps.now ?? (() => new Date());
  const producer = startProducerBoot({
    instance,
    boot: newEventId(now()),
    ledgerFile: ledgerFileOf(config.dataDir, instance),
    onUnreadableLedger: (file) => logger.warn({ file }, 'the sequence ledger of the previous boot is unreadable; nothing is reported about that boot'),
  });
  const status = createProducerStatusReporter({
    producer,
    publisher: deps.publisher,
    heartbeatIntervalMs: config.events.heartbeatInterval,
    source: eventSource('authn', instance),
    newEventId,
    now,
    logger,
  });

  const app = buildApp({
    chain: composed.chain,
    publisher: deps.publisher,
    logger,
    fingerprint,
    usernameHash: (name) => fingerprinter.usernameHash(name),
    instance,
    trustedProxies: authn.trustedProxies,
    eventsMode: config.events.mode,
    ...(policy ? { policy } : {}),
    ...(ready ? { ready } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    basicAuth: composed.basicAuth,
    producer,
    limits: authn.limits,
    cacheStats: () => composed.cacheStats(),
  });

  // Before listening: a `lost` report about the previous boot goes out even if this start fails.
  await status.start();
  let httpsServer: HttpsServer | undefined;
  try {
    await app.listen({ port: authn.http.port, host: authn.http.host });
    const tlsListener = authn.https;
    if (tlsListener) {
      httpsServer = app.createHttpsServer({
        cert: readFileSync(tlsListener.certFile),
        key: readFileSync(tlsListener.keyFile),
        ...(tlsListener.clientCAFile ? { ca: readFileSync(tlsListener.clientCAFile) } : {}),
        // Ask for a client certificate, do not require or verify it here: the x509 strategy
        // verifies chains itself, and bearer-token clients must still be able to connect.
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      });
      const server = httpsServer;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(tlsListener.port, tlsListener.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
  } catch (error) {
    httpsServer?.close();
    await app.close();
    await composed.close();
    // No decision was taken: this boot stopped at sequence 0.
    await status.stop(() => deps.publisher.flush(authn.limits.shutdownGrace));
    producer.close();
    throw error;
  }

  const address = (info: AddressInfo | string | null, scheme: string, host: string): ListeningAddress => {
    const port = typeof info === 'object' && info ? info.port : 0;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    return { host, port, url: `${scheme}://${shown.includes(':') ? `[${shown}]` : shown}:${port}` };
  };
  const http = address(app.server.address(), 'http', authn.http.host);
  const https = httpsServer && authn.https ? address(httpsServer.address(), 'https', authn.https.host) : undefined;
  logger.info({ http: http.url, https: https?.url, strategies: composed.strategyIds, instance, boot: producer.boot }, 'authn listening');
  // Serve (not ready) while the control topic is replayed; a failure here is fatal to readiness only.
  const controlLoaded = control?.start().catch((error: unknown) => logger.error({ err: error }, 'control state could not be loaded; /readyz stays false'));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      logger.info('authn shutting down');
      const grace = setTimeout(() => {
        // In-flight requests that outlive the grace period are cut.
        app.server.closeAllConnections();
        httpsServer?.closeAllConnections();
      }, authn.limits.shutdownGrace);
      grace.unref();
      const tlsServer = httpsServer;
      const httpsClosed = tlsServer
        ? new Promise<void>((resolve) => {
            tlsServer.close(() => resolve());
            tlsServer.closeIdleConnections();
          })
        : Promise.resolve();
      await Promise.all([app.close(), httpsClosed]);
      clearTimeout(grace);
      await deps.publisher.flush(authn.limits.shutdownGrace).catch((error: unknown) => logger.warn({ err: error }, 'event flush incomplete'));
      // After the decision events: `stopped` says how far this boot got; the ledger is marked
      // clean only once that event is delivered.
      await status.stop(() => deps.publisher.flush(authn.limits.shutdownGrace));
      producer.close();
      await controlLoaded;
      await control?.stop();
      await composed.close();
      logger.info('authn stopped');
    })());

  return { app, http, ...(https ? { https } : {}), instance, close };
}
