// The authn HTTP app, built without listening (STYLE 6): tests use `app.inject`, start-authn.ts
// listens on HTTP and HTTPS with the same handler.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createEventIdFactory, type ReasonCode } from '@authtrail/events';
import type { Publisher } from '@authtrail/event-bus';
import './http/fastify-augment';
import { createDecisionService, noopPolicyHook, startProducerBoot, type AuthChain, type ChainedPublisher, type DecisionProducer, type DecisionService, type PolicyHook } from '@authtrail/authentication';
import { hopOf, readClientCertificatesOn } from './http/hop';
import { DECISION_ID_HEADER } from './http/reply-headers';
import { KubeProtobufError } from './http/kube-protobuf';
import { maxLengthByCodeUnitsFirst } from './http/max-length';
import { createTrustedProxies, normalizeAddress, resolveClientAddress, splitForwardedFor, stripQuery } from '@authtrail/authentication';
import { lazyChildLoggerFactory } from './observability/lazy-child-logger';
import { createAuthnMetrics, type AuthnMetrics, type CacheCounters } from './observability/metrics';
import { authenticateRoutes } from './routes/authenticate.route';
import { forwardAuthRoutes } from './routes/forward-auth.route';
import { healthRoutes } from './routes/health.route';
import { integrityKeysRoutes } from './routes/integrity-keys.route';
import { selfSubjectReviewRoutes } from './routes/selfsubjectreview.route';
import { tokenReviewRoutes } from './routes/tokenreview.route';

export interface AppLimits {
  readonly bodyLimit: number;
  readonly maxHeaderSize: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly connectionTimeout: number;
}

export interface AppDeps {
  readonly chain: AuthChain;
  readonly publisher: Publisher;
  readonly logger: Logger;
  readonly fingerprint: (secret: string) => string;
  /** The fingerprint under every configured key: without it, a revocation made under a key being rotated out misses uncached decisions. */
  readonly candidates?: (secret: string) => readonly string[];
  readonly usernameHash: (username: string) => string;
  /** The producer boot's chained publisher (hash chain, signed checkpoints, `/v1/integrity/keys`); absent: events unchained (tests). */
  readonly events?: ChainedPublisher;
  readonly instance: string;
  readonly trustedProxies: readonly string[];
  /** Proxies whose client-certificate headers are believed (`authn.clientCertificateProxies`, default none). */
  readonly clientCertificateProxies?: readonly string[];
  readonly eventsMode?: 'buffered' | 'strict';
  readonly policy?: PolicyHook;
  /** Readiness besides the policy hook's own (e.g. control events replayed). */
  readonly ready?: () => boolean;
  /** A basic-auth strategy is configured: 401s also offer `WWW-Authenticate: Basic`. */
  readonly basicAuth?: boolean;
  readonly limits: AppLimits;
  readonly cacheStats?: () => CacheCounters | undefined;
  readonly now?: () => Date;
  /** Boot, sequence and drop count of the events (start-authn.ts: with the sequence ledger); default: in memory. */
  readonly producer?: DecisionProducer;
  /** Process metrics (CPU, heap) on /metrics; off in tests that build many apps. */
  readonly defaultMetrics?: boolean;
}

export interface AuthnApp extends FastifyInstance {
  readonly authnMetrics: AuthnMetrics;
  /**
   * An HTTPS server serving this same app. With `requestCert: true` each connection's certificate
   * chain is read once, on its first request.
   */
  createHttpsServer(options: HttpsServerOptions): HttpsServer;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function buildApp(deps: AppDeps): AuthnApp {
  const { limits } = deps;
  const serverOptions = {
    maxHeaderSize: limits.maxHeaderSize,
    requestTimeout: limits.requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeout,
    headersTimeout: Math.min(limits.requestTimeout, 60_000),
  };
  let handler: Handler | undefined;
  const applyTimeouts = <S extends Server | HttpsServer>(server: S): S => {
    server.setTimeout(limits.connectionTimeout);
    server.keepAliveTimeout = limits.keepAliveTimeout;
    return server;
  };

  const app = Fastify({
    loggerInstance: deps.logger,
    childLoggerFactory: lazyChildLoggerFactory,
    // Fastify's two lines per request ("incoming request", "request completed") only when asked
    // for (debug, trace): at info each request is already recorded, as its decision event, and
    // probes and scrapes would fill the log.
    logController: new LogController({ disableRequestLogging: !deps.logger.isLevelEnabled('debug') }),
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeout,
    connectionTimeout: limits.connectionTimeout,
    forceCloseConnections: 'idle',
    // One handler, two servers: capture it so the HTTPS listener serves the same app.
    serverFactory: (h) => {
      handler = h as Handler;
      return applyTimeouts(createHttpServer(serverOptions, h));
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false }, plugins: [maxLengthByCodeUnitsFirst] },
  }) as unknown as FastifyInstance;

  const policy = deps.policy ?? noopPolicyHook;
  const ready = () => (policy.ready?.() ?? true) && (deps.ready?.() ?? true);
  const metrics = createAuthnMetrics({
    publisherStats: () => deps.publisher.stats(),
    ...(deps.cacheStats ? { cacheStats: deps.cacheStats } : {}),
    defaultMetrics: deps.defaultMetrics ?? true,
    ready,
  });
  const trusted = createTrustedProxies(deps.trustedProxies, deps.clientCertificateProxies ?? []);
  const newEventId = createEventIdFactory();
  const producer = deps.producer ?? startProducerBoot({ instance: deps.instance, boot: newEventId(new Date()) });
  const decisions = createDecisionService({
    chain: deps.chain,
    policy,
    publisher: deps.publisher,
    eventsMode: deps.eventsMode ?? 'buffered',
    fingerprint: deps.fingerprint,
    ...(deps.candidates ? { candidates: deps.candidates } : {}),
    ...(deps.events ? { events: deps.events } : {}),
    usernameHash: deps.usernameHash,
    instance: deps.instance,
    producer,
    newEventId,
    now: deps.now ?? (() => new Date()),
    metrics,
    logger: deps.logger,
  });

  app.decorateRequest('startedNs', 0n);
  // Callback style: an async hook costs a promise on every request.
  app.addHook('onRequest', (request, _reply, done) => {
    request.startedNs = process.hrtime.bigint();
    done();
  });
  app.setErrorHandler(createErrorHandler(decisions, trusted));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'Not Found', reason: 'bad_request', message: 'no such endpoint' }));

  const routeDeps = { decisions, trusted, basicAuth: deps.basicAuth ?? false };
  void app.register(tokenReviewRoutes, routeDeps);
  void app.register(selfSubjectReviewRoutes, routeDeps);
  void app.register(authenticateRoutes, routeDeps);
  void app.register(forwardAuthRoutes, routeDeps);
  if (deps.events) void app.register(integrityKeysRoutes, { keys: deps.events.keys });
  void app.register(healthRoutes, { registry: metrics.registry, ready, ...(policy.notReady ? { notReady: () => policy.notReady?.() } : {}) });

  return Object.assign(app, {
    authnMetrics: metrics,
    createHttpsServer(options: HttpsServerOptions): HttpsServer {
      if (!handler) throw new Error('the app has no request handler yet');
      const server = applyTimeouts(createHttpsServer({ ...serverOptions, ...options }, handler));
      // The rule is in http/hop.ts: only these connections' certificates are ever read.
      if (options.requestCert === true) readClientCertificatesOn(server);
      return server;
    },
  });
}

/** Fastify errors before or around the handler: a 4xx JSON answer (never a 500 for bad input) and one event. */
function createErrorHandler(decisions: DecisionService, trusted: ReturnType<typeof createTrustedProxies>) {
  return async (error: FastifyError, request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const { status, reason, message } = classify(error);
    if (status >= 500) request.log.error({ err: error }, 'unexpected error');
    else request.log.info({ err: { code: error.code, statusCode: status } }, 'request refused');
    const endpoint = request.routeOptions.config.endpoint;
    let decisionId: string | undefined;
    if (endpoint) {
      const hop = hopOf(request);
      const peer = normalizeAddress(hop.peerAddress) ?? hop.peerAddress;
      const forwardedFor = trusted.isTrusted(peer) ? splitForwardedFor(request.headers['x-forwarded-for'] as string | undefined) : [];
      const userAgent = request.headers['user-agent'];
      const decision = await decisions.refuse(
        endpoint,
        {
          sourceIp: resolveClientAddress(peer, forwardedFor, trusted),
          forwardedFor,
          ...(typeof userAgent === 'string' ? { userAgent } : {}),
          method: request.method,
          path: stripQuery(request.url),
          tls: hop.tls,
        },
        status,
        reason,
        message,
        request.startedNs || process.hrtime.bigint(),
      );
      decisionId = decision.id;
      reply.header(DECISION_ID_HEADER, decision.id);
    }
    return reply.code(status).send({ error: STATUS_TEXT[status] ?? 'Error', reason, message, ...(decisionId ? { decisionId } : {}) });
  };
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

/** Error codes, never messages, decide the answer (messages of JSON errors can quote the body). */
export function classify(error: FastifyError): { status: number; reason: ReasonCode; message: string } {
  if (error.validation) {
    return { status: 400, reason: 'bad_request', message: `request does not match the schema: ${error.message}`.slice(0, 300) };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, reason: 'bad_request', message: 'request body too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, reason: 'bad_request', message: 'unsupported content type: send application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, reason: 'bad_request', message: 'empty JSON body' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, reason: 'bad_request', message: 'request body is not valid JSON' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, reason: 'bad_request', message: 'content-length does not match the body' };
    case KubeProtobufError.code:
      // Written by the envelope parser from byte offsets only (http/kube-protobuf.ts): no body bytes.
      return { status: 400, reason: 'bad_request', message: error.message.slice(0, 300) };
    default:
      break;
  }
  if (error instanceof SyntaxError) return { status: 400, reason: 'bad_request', message: 'request body is not valid JSON' };
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, reason: 'bad_request', message: 'bad request' };
  return { status: 500, reason: 'internal_error', message: 'internal error' };
}
