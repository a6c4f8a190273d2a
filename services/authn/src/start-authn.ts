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
import type { AuthtrailConfig } from '@authtrail/config';
import { startAuthentication, type AuthenticationRootDeps } from '@authtrail/authentication';
import { registerAuthenticationConfigurationMetrics } from '@authtrail/strategies';
import { buildApp, type AuthnApp } from './app';

/** The composition root's inputs (publisher, subscriber, registry, logger, test overrides) plus readiness. */
export type StartAuthnDeps = Omit<AuthenticationRootDeps, 'service' | 'instance' | 'chain'> & {
  readonly ready?: () => boolean;
};

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
  // The composition root shared with graphql-api: chain, policy/control state, producer boot.
  const root = await startAuthentication(config, { ...deps, service: 'authn', instance, logger });
  const composed = root.chain;
  const policy = root.policy;
  const ready = deps.ready ?? root.ready;
  const producer = root.producer;

  const app = buildApp({
    chain: composed.chain,
    publisher: deps.publisher,
    logger,
    fingerprint: root.fingerprint,
    candidates: root.candidates,
    events: root.events,
    usernameHash: root.usernameHash,
    instance,
    trustedProxies: authn.trustedProxies,
    clientCertificateProxies: authn.clientCertificateProxies ?? [],
    eventsMode: config.events.mode,
    ...(policy ? { policy } : {}),
    ...(ready ? { ready } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    basicAuth: composed.basicAuth,
    producer,
    limits: authn.limits,
    cacheStats: () => composed.cacheStats(),
  });

  // kube-apiserver's reload metrics of authn.authenticationConfiguration (apiserver_authentication_config_controller_*).
  if (composed.authenticationConfiguration) registerAuthenticationConfigurationMetrics(app.authnMetrics.registry, composed.authenticationConfiguration, instance);

  // Before listening: a `lost` report about the previous boot goes out even if this start fails.
  await root.announce();
  let httpsServer: HttpsServer | undefined;
  try {
    await app.listen({ port: authn.http.port, host: authn.http.host });
    const tlsListener = authn.https;
    if (tlsListener) {
      httpsServer = app.createHttpsServer({
        cert: readFileSync(tlsListener.certFile),
        key: readFileSync(tlsListener.keyFile),
        ...(tlsListener.clientCAFile ? { ca: readFileSync(tlsListener.clientCAFile) } : {}),
        // Ask for a client certificate, do not require it: the x509 strategy verifies chains
        // itself, and bearer-token clients must still be able to connect. Each connection's
        // certificate is read once (http/hop.ts): the x509 strategy's credential, or the
        // decision's `request.caller` (kube-apiserver calling TokenReview); `clientCAFile` also
        // decides the caller certificate's `verified` (socket.authorized).
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
    // No decision was taken: this boot stopped at sequence 0.
    await root.close(authn.limits.shutdownGrace);
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
  root.loadControl();

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
      await root.close(authn.limits.shutdownGrace);
      logger.info('authn stopped');
    })());

  return { app, http, ...(https ? { https } : {}), instance, close };
}
