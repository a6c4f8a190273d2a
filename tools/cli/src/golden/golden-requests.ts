// The requests the golden test sends, how they are sent (node:http / node:https, so header
// values can carry any latin1 byte and a client certificate can be presented), and what the
// service sees of them (`viewOf`): the documented request-view rules (DESIGN §3.3, docs/authn.md):
// X-Forwarded-* only from trusted proxies (the test's 127.0.0.1 is one), query strings never
// recorded, `/v1/authenticate` describes the request in its body.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CredentialFacts, Endpoint, ViewFacts } from './trail.oracle';

export const PEER = '127.0.0.1';
export type EndpointChoice = 'tokenreview-v1' | 'tokenreview-v1beta1' | 'selfsubjectreview' | 'authenticate' | 'forward-auth' | 'graphql';

export interface AuthenticateBodyPlan {
  readonly userAgent?: string;
  /** Sent as `headers['user-agent']` inside the body. */
  readonly headerUserAgent?: string;
  readonly path?: string;
  readonly method?: string;
  readonly sourceIp?: string;
  readonly tls?: boolean;
}

export interface RequestPlan {
  readonly credential?: CredentialFacts;
  readonly endpoint: EndpointChoice;
  readonly transport: 'http' | 'https';
  /** HTTP header values (latin1: any byte but NUL, CR, LF). */
  readonly userAgentHeader?: string;
  readonly forwardedFor?: string;
  readonly forwardedProto?: string;
  readonly forwardedUri?: string;
  readonly forwardedMethod?: string;
  /** forward-auth: Envoy style `/v1/forward-auth/<suffix>`. */
  readonly ownPathSuffix?: string;
  /** A secret in the query string: it must never be recorded anywhere. */
  readonly queryToken?: string;
  readonly body?: AuthenticateBodyPlan;
}

export interface SentRequest {
  readonly plan: RequestPlan;
  readonly status: number;
  readonly decisionId: string | undefined;
  readonly body: Record<string, unknown>;
  /** The refusal message the answer carried (undefined for an allowed request). */
  readonly message: string | undefined;
  readonly sentAt: number;
  readonly answeredAt: number;
}

export interface Listeners {
  readonly http: string;
  readonly https: string;
  /** graphql-api's listener (plain HTTP): its callers are decisions too (endpoint graphql). */
  readonly graphql: string;
}

const SSR_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const GRAPHQL_PATH = '/graphql';
const tokenReviewPath = (version: 'v1' | 'v1beta1') => `/apis/authentication.k8s.io/${version}/tokenreviews`;

function urlPathOf(plan: RequestPlan): string {
  const query = plan.queryToken ? `?access_token=${encodeURIComponent(plan.queryToken)}` : '';
  switch (plan.endpoint) {
    case 'tokenreview-v1':
      return tokenReviewPath('v1') + query;
    case 'tokenreview-v1beta1':
      return tokenReviewPath('v1beta1') + query;
    case 'selfsubjectreview':
      return SSR_PATH + query;
    case 'authenticate':
      return `/v1/authenticate${query}`;
    case 'forward-auth':
      return `/v1/forward-auth${plan.ownPathSuffix !== undefined ? `/${plan.ownPathSuffix}` : ''}${query}`;
    case 'graphql':
      return GRAPHQL_PATH + query;
  }
}

function bodyOf(plan: RequestPlan): unknown {
  const credential = plan.credential;
  switch (plan.endpoint) {
    case 'tokenreview-v1':
    case 'tokenreview-v1beta1': {
      const token = credential?.authorization?.startsWith('Bearer ') ? credential.authorization.slice('Bearer '.length) : '';
      return { apiVersion: `authentication.k8s.io/${plan.endpoint.slice('tokenreview-'.length)}`, kind: 'TokenReview', spec: { token } };
    }
    case 'selfsubjectreview':
      return { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
    case 'authenticate': {
      const b = plan.body ?? {};
      const headers: Record<string, string> = {};
      if (credential?.authorization) headers['authorization'] = credential.authorization;
      if (b.headerUserAgent !== undefined) headers['user-agent'] = b.headerUserAgent;
      return {
        headers,
        ...(credential?.certificate ? { clientCertificate: credential.certificate.certPem } : {}),
        ...(b.userAgent !== undefined ? { userAgent: b.userAgent } : {}),
        ...(b.path !== undefined ? { path: b.path } : {}),
        ...(b.method !== undefined ? { method: b.method } : {}),
        ...(b.sourceIp !== undefined ? { sourceIp: b.sourceIp } : {}),
        ...(b.tls !== undefined ? { tls: b.tls } : {}),
      };
    }
    case 'forward-auth':
      return undefined;
    case 'graphql':
      return { query: '{ __typename }' };
  }
}

/** Sends one planned request; every answer must carry the decision id. */
export function send(plan: RequestPlan, listeners: Listeners): Promise<SentRequest> {
  const body = bodyOf(plan);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
  const headers: Record<string, string> = {};
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  // Credentials travel in the HTTP headers except for TokenReview (body) and /v1/authenticate (body).
  if (plan.credential?.authorization && carriesOwnCredential(plan.endpoint)) headers['authorization'] = plan.credential.authorization;
  if (plan.userAgentHeader !== undefined) headers['user-agent'] = plan.userAgentHeader;
  if (plan.forwardedFor !== undefined) headers['x-forwarded-for'] = plan.forwardedFor;
  if (plan.forwardedProto !== undefined) headers['x-forwarded-proto'] = plan.forwardedProto;
  if (plan.forwardedUri !== undefined) headers['x-forwarded-uri'] = plan.forwardedUri;
  if (plan.forwardedMethod !== undefined) headers['x-forwarded-method'] = plan.forwardedMethod;
  const method = plan.endpoint === 'forward-auth' ? 'GET' : 'POST';
  const presentCertificate = plan.transport === 'https' && plan.credential?.certificate && (plan.endpoint === 'selfsubjectreview' || plan.endpoint === 'forward-auth');
  const base = new URL(plan.endpoint === 'graphql' ? listeners.graphql : plan.transport === 'https' ? listeners.https : listeners.http);
  const options = {
    host: base.hostname,
    port: base.port,
    method,
    path: urlPathOf(plan),
    headers,
    agent: false as const,
    ...(plan.transport === 'https'
      ? { rejectUnauthorized: false, ...(presentCertificate ? { cert: plan.credential?.certificate?.certPem, key: plan.credential?.certificate?.keyPem } : {}) }
      : {}),
  };
  const sentAt = Date.now();
  return new Promise<SentRequest>((resolve, reject) => {
    const req = (plan.transport === 'https' ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answeredAt = Date.now();
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          parsed = { unparsable: text.slice(0, 200) };
        }
        const status = res.statusCode ?? 0;
        resolve({ plan, status, decisionId: decisionIdOf(res.headers), body: parsed, message: messageOf(plan, status, parsed), sentAt, answeredAt });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Endpoints where the caller's own credentials travel in its HTTP headers. */
function carriesOwnCredential(endpoint: EndpointChoice): boolean {
  return endpoint === 'selfsubjectreview' || endpoint === 'forward-auth' || endpoint === 'graphql';
}

function decisionIdOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-authtrail-decision-id'];
  return typeof value === 'string' ? value : undefined;
}

function messageOf(plan: RequestPlan, status: number, body: Record<string, unknown>): string | undefined {
  if (plan.endpoint.startsWith('tokenreview') && status === 200) {
    const reviewStatus = body['status'] as { authenticated?: boolean; error?: string } | undefined;
    return reviewStatus?.authenticated ? undefined : reviewStatus?.error;
  }
  if (status === 200 || status === 201) return undefined;
  // GraphQL refusals answer in GraphQL's error shape.
  const error = plan.endpoint === 'graphql' ? (body['errors'] as { message?: unknown }[] | undefined)?.[0] : body;
  return typeof error?.['message'] === 'string' ? error['message'] : undefined;
}

// ---- what the service sees of a sent request ------------------------------------------------

/** HTTP parsers drop leading and trailing spaces and tabs of a header value. */
export function httpTrim(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

export function stripQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The test only ever sends canonical IPv4 addresses or text that cannot parse as an address. */
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export function addressOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (IPV4.test(trimmed)) return trimmed;
  const mapped = /^::ffff:(.+)$/i.exec(trimmed);
  return mapped && IPV4.test(mapped[1] ?? '') ? mapped[1] : undefined;
}

/** X-Forwarded-For hops: comma-split, trimmed, empty ones dropped, at most 32 read. */
export function forwardedHops(header: string | undefined): string[] {
  if (header === undefined) return [];
  return httpTrim(header).split(',').map((s) => s.trim()).filter((s) => s.length > 0).slice(0, 32);
}

/** Read from the right, skipping trusted hops (127.0.0.1/32); garbage stops the walk at the peer. */
export function clientAddress(hops: readonly string[]): string {
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = addressOf(hops[i]);
    if (hop === undefined) return PEER;
    if (hop !== PEER || i === 0) return hop;
  }
  return PEER;
}

/** Whether a TokenReview can carry this credential (bearer tokens only). */
export const isBearer = (credential: CredentialFacts | undefined): boolean => credential?.authorization?.startsWith('Bearer ') === true;

/** Whether a request that was not refused reached the strategies with its credential. */
function presented(plan: RequestPlan): boolean {
  const credential = plan.credential;
  if (!credential) return false;
  if (plan.endpoint.startsWith('tokenreview')) return isBearer(credential);
  if (credential.certificate && !credential.authorization) {
    return plan.endpoint === 'authenticate' || plan.transport === 'https';
  }
  return true;
}

/** Whether `/v1/authenticate` refuses the body by its schema (400 before any strategy). */
export function refusedBody(body: AuthenticateBodyPlan | undefined): boolean {
  if (!body) return false;
  const codePoints = (s: string) => [...s].length;
  if (body.method !== undefined && !/^[A-Za-z]{1,16}$/.test(body.method)) return true;
  if (body.userAgent !== undefined && codePoints(body.userAgent) > 1024) return true;
  if (body.path !== undefined && codePoints(body.path) > 4096) return true;
  if (body.sourceIp !== undefined && codePoints(body.sourceIp) > 64) return true;
  if (body.headerUserAgent !== undefined && codePoints(body.headerUserAgent) > 16384) return true;
  return false;
}

export function viewOf(plan: RequestPlan): ViewFacts {
  const hopTls = plan.transport === 'https';
  const hops = forwardedHops(plan.forwardedFor);
  const viaProxies = clientAddress(hops);
  const uaHeader = plan.userAgentHeader !== undefined ? httpTrim(plan.userAgentHeader) : undefined;
  const userAgent = uaHeader === '' ? undefined : uaHeader;
  const proto = plan.forwardedProto !== undefined ? httpTrim(plan.forwardedProto) : undefined;
  const tlsViaProxy = proto !== undefined ? proto.toLowerCase() === 'https' : hopTls;
  const base = { credentialPresented: presented(plan) };
  const endpoint: Endpoint = plan.endpoint.startsWith('tokenreview') ? 'tokenreview' : (plan.endpoint as Endpoint);
  switch (plan.endpoint) {
    case 'tokenreview-v1':
    case 'tokenreview-v1beta1':
      return { ...base, endpoint, sourceIp: viaProxies, forwardedFor: hops, ...(userAgent !== undefined ? { userAgent } : {}), method: 'POST', path: tokenReviewPath(plan.endpoint === 'tokenreview-v1' ? 'v1' : 'v1beta1'), tls: hopTls };
    case 'selfsubjectreview':
      return { ...base, endpoint, sourceIp: viaProxies, forwardedFor: hops, ...(userAgent !== undefined ? { userAgent } : {}), method: 'POST', path: SSR_PATH, tls: tlsViaProxy };
    // The API's callers by the same rules as SelfSubjectReview, on graphql-api's plain-HTTP port.
    case 'graphql':
      return { ...base, endpoint, sourceIp: viaProxies, forwardedFor: hops, ...(userAgent !== undefined ? { userAgent } : {}), method: 'POST', path: GRAPHQL_PATH, tls: tlsViaProxy };
    case 'forward-auth': {
      const own = plan.ownPathSuffix !== undefined ? `/${plan.ownPathSuffix}` : '/v1/forward-auth';
      const uri = plan.forwardedUri !== undefined ? httpTrim(plan.forwardedUri) : own;
      const method = (plan.forwardedMethod !== undefined ? httpTrim(plan.forwardedMethod) : 'GET').toUpperCase();
      return { ...base, endpoint, sourceIp: viaProxies, forwardedFor: hops, ...(userAgent !== undefined ? { userAgent } : {}), method, path: stripQuery(uri), tls: tlsViaProxy };
    }
    case 'authenticate': {
      if (refusedBody(plan.body)) {
        return { ...base, credentialPresented: false, endpoint, sourceIp: viaProxies, forwardedFor: hops, ...(userAgent !== undefined ? { userAgent } : {}), method: 'POST', path: '/v1/authenticate', tls: hopTls, refused: { httpStatus: 400 } };
      }
      const b = plan.body ?? {};
      const bodyUserAgent = b.userAgent ?? b.headerUserAgent;
      const certificate = plan.credential?.certificate !== undefined && !plan.credential.authorization;
      return {
        ...base,
        endpoint,
        sourceIp: addressOf(b.sourceIp) ?? PEER,
        forwardedFor: [],
        ...(bodyUserAgent !== undefined && bodyUserAgent !== '' ? { userAgent: bodyUserAgent } : {}),
        method: (b.method ?? 'GET').toUpperCase(),
        path: stripQuery(b.path ?? '/'),
        tls: b.tls ?? (certificate ? true : hopTls),
      };
    }
  }
}
