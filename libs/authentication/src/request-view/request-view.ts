// Builds the strategies' RequestView (DESIGN §3.1) for each endpoint of authn and for the API's
// own callers (graphql-api uses `selfView`). Pure: the route hands in what the socket and the
// request said; trust decisions are made here, in one place.
import { createHash, X509Certificate } from 'node:crypto';
import type { RequestView } from '@authtrail/strategies';
import type { CallerCertificate, DecisionCaller, ReasonCode } from '@authtrail/events';
import { readForwardedCertificates } from './forwarded-client-cert';
import { normalizeAddress, resolveClient, splitForwardedFor, type TrustedProxies } from './trusted-proxies';

/** What arrived on the socket. */
export interface IncomingHop {
  readonly peerAddress: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly method: string;
  readonly url: string;
  readonly tls: boolean;
  /** Leaf first, from the TLS socket (empty on plain HTTP or when none was sent). */
  readonly peerCertificates: readonly X509Certificate[];
  /** The TLS handshake verified `peerCertificates` against the listener's CA list (`socket.authorized`). */
  readonly peerCertificatesVerified?: boolean;
}

export interface BuiltView {
  readonly view: RequestView;
  /** X-Forwarded-For hops, only when the peer is a trusted proxy. */
  readonly forwardedFor: readonly string[];
  /** Set when something the caller sent is unusable: the decision is a 401 without asking strategies. */
  readonly problem?: { readonly reason: ReasonCode; readonly message: string };
  /**
   * Who sent the request (the event's `request.caller`): recorded, never shown to strategies, so
   * it can never become the decision's user. Absent when nothing is known beyond the address.
   */
  readonly caller?: DecisionCaller;
}

/**
 * The caller's side of a request. `certificate` is the leaf of the TLS connection's client chain
 * when that certificate is NOT the credential under judgement: a TokenReview's (the token is) and
 * a `/v1/authenticate` gateway's (the request is described in the body) always, forward-auth and
 * SelfSubjectReview only when a `clientCertificateProxies` peer handed over a certificate header
 * (the socket's certificate is then the proxy's own). `proxies` is the trusted chain the client
 * address was resolved through.
 */
function callerOf(certificateHop: IncomingHop | undefined, proxies: readonly string[]): DecisionCaller | undefined {
  const certificate = certificateHop ? callerCertificate(certificateHop) : undefined;
  if (!certificate && proxies.length === 0) return undefined;
  return { ...(certificate ? { certificate } : {}), ...(proxies.length > 0 ? { proxies } : {}) };
}

/** Per certificate object: hop.ts keeps one chain per connection, so this is computed once per connection. */
const described = new WeakMap<X509Certificate, Omit<CallerCertificate, 'verified'>>();

function callerCertificate(hop: IncomingHop): CallerCertificate | undefined {
  const leaf = hop.peerCertificates[0];
  if (!leaf) return undefined;
  let facts = described.get(leaf);
  if (!facts) {
    // The same text as the x509 strategy's `credential.x509` (RDNs joined by ", ").
    facts = { subject: leaf.subject.replaceAll('\n', ', '), issuer: leaf.issuer.replaceAll('\n', ', '), serial: leaf.serialNumber, sha256: createHash('sha256').update(leaf.raw).digest('hex') };
    described.set(leaf, facts);
  }
  return { ...facts, verified: hop.peerCertificatesVerified === true };
}

/** Headers a proxy uses to hand over the client's certificate: consumed here, never shown to strategies. */
const CERT_HEADERS = new Set(['x-forwarded-client-cert', 'ssl-client-cert', 'x-forwarded-tls-client-cert']);
export const FORWARD_AUTH_PREFIX = '/v1/forward-auth';

export function flattenHeaders(headers: IncomingHop['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || !Object.hasOwn(headers, name)) continue;
    const key = name.toLowerCase();
    if (CERT_HEADERS.has(key)) continue;
    out[key] = typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}

function header(hop: IncomingHop, name: string): string | undefined {
  const value = hop.headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

function peerOf(hop: IncomingHop): string {
  return normalizeAddress(hop.peerAddress) ?? hop.peerAddress;
}

/** nginx auth_request, Traefik ForwardAuth, Envoy ext_authz: the original request is described by headers. */
export function forwardAuthView(hop: IncomingHop, trusted: TrustedProxies): BuiltView {
  const peer = peerOf(hop);
  const isTrusted = trusted.isTrusted(peer);
  const forwardedFor = isTrusted ? splitForwardedFor(header(hop, 'x-forwarded-for')) : [];
  const headers = flattenHeaders(hop.headers);
  // Envoy ext_authz (HTTP) appends the original path to the configured prefix.
  const ownPath = hop.url.startsWith(`${FORWARD_AUTH_PREFIX}/`) ? hop.url.slice(FORWARD_AUTH_PREFIX.length) : hop.url;
  const forwardedUri = isTrusted ? (header(hop, 'x-forwarded-uri') ?? header(hop, 'x-original-uri')) : undefined;
  const forwardedMethod = isTrusted ? (header(hop, 'x-forwarded-method') ?? header(hop, 'x-original-method')) : undefined;
  const forwardedProto = isTrusted ? header(hop, 'x-forwarded-proto') : undefined;

  let peerCertificates = hop.peerCertificates;
  let problem: BuiltView['problem'];
  // A certificate proxy that hands over a certificate: the socket's own certificate is the proxy's.
  let handedOver = false;
  if (trusted.forwardsCertificates(peer)) {
    const forwarded = readForwardedCertificates(hop.headers as Record<string, string | undefined>);
    handedOver = forwarded.kind !== 'none';
    if (forwarded.kind === 'certificates') peerCertificates = forwarded.chain;
    else if (forwarded.kind === 'malformed') problem = { reason: 'malformed_credentials', message: forwarded.message };
  }
  const userAgent = headers['user-agent'];
  const client = resolveClient(peer, forwardedFor, trusted);
  const caller = callerOf(handedOver ? hop : undefined, client.proxies);
  return {
    forwardedFor,
    ...(problem ? { problem } : {}),
    ...(caller ? { caller } : {}),
    view: {
      headers,
      peerCertificates,
      sourceIp: client.address,
      method: (forwardedMethod ?? hop.method).toUpperCase(),
      path: stripQuery(forwardedUri ?? ownPath),
      ...(userAgent ? { userAgent } : {}),
      audiences: [],
      tls: forwardedProto ? forwardedProto.toLowerCase() === 'https' : hop.tls,
    },
  };
}

/**
 * TokenReview: the credential is the token in the body; the peer is the API server (or a proxy in
 * front of it). Its client certificate is the caller's, recorded on the decision and never shown to
 * the strategies: kube-apiserver's certificate must not authenticate the token's user.
 */
export function tokenReviewView(hop: IncomingHop, trusted: TrustedProxies, token: string, audiences: readonly string[]): BuiltView {
  const peer = peerOf(hop);
  const forwardedFor = trusted.isTrusted(peer) ? splitForwardedFor(header(hop, 'x-forwarded-for')) : [];
  const userAgent = header(hop, 'user-agent');
  const client = resolveClient(peer, forwardedFor, trusted);
  const caller = callerOf(hop, client.proxies);
  return {
    forwardedFor,
    ...(caller ? { caller } : {}),
    view: {
      headers: token === '' ? {} : { authorization: `Bearer ${token}` },
      peerCertificates: [],
      sourceIp: client.address,
      method: hop.method,
      path: stripQuery(hop.url),
      ...(userAgent ? { userAgent } : {}),
      audiences,
      tls: hop.tls,
    },
  };
}

/** SelfSubjectReview: the caller's own credentials, as on any request to this service. */
export function selfView(hop: IncomingHop, trusted: TrustedProxies): BuiltView {
  const built = forwardAuthView({ ...hop, headers: withoutForwardedRequest(hop.headers) }, trusted);
  return { ...built, view: { ...built.view, method: hop.method, path: stripQuery(hop.url) } };
}

export interface AuthenticateBody {
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly clientCertificate?: string;
  readonly sourceIp?: string;
  readonly method?: string;
  readonly path?: string;
  readonly userAgent?: string;
  readonly audiences?: readonly string[];
  readonly tls?: boolean;
}

/**
 * `/v1/authenticate`: a gateway describes the request. The source address and TLS flag are
 * believed only from a trusted proxy, the certificate only from a `clientCertificateProxies`
 * peer: a certificate is public, so from anyone else it would be an impersonation. The headers
 * (the credential itself) are taken from everyone.
 */
export function directView(hop: IncomingHop, trusted: TrustedProxies, body: AuthenticateBody): BuiltView {
  const peer = peerOf(hop);
  const isTrusted = trusted.isTrusted(peer);
  const headers = flattenHeaders(body.headers);
  let peerCertificates: readonly X509Certificate[] = [];
  let problem: BuiltView['problem'];
  if (trusted.forwardsCertificates(peer) && body.clientCertificate) {
    const pem = body.clientCertificate.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    try {
      if (pem.length === 0 || pem.length > 8) throw new Error('no certificate');
      peerCertificates = pem.map((block) => new X509Certificate(block));
    } catch {
      problem = { reason: 'malformed_credentials', message: 'clientCertificate is not a PEM certificate chain' };
    }
  }
  const claimedIp = isTrusted ? normalizeAddress(body.sourceIp) : undefined;
  const userAgent = body.userAgent ?? headers['user-agent'];
  // The gateway's own TLS certificate is the caller's (the user's comes in the body); a trusted
  // gateway whose `sourceIp` is believed is the one proxy.
  const caller = callerOf(hop, claimedIp !== undefined ? [peer] : []);
  return {
    forwardedFor: [],
    ...(problem ? { problem } : {}),
    ...(caller ? { caller } : {}),
    view: {
      headers,
      peerCertificates,
      sourceIp: claimedIp ?? peer,
      method: (body.method ?? 'GET').toUpperCase(),
      path: stripQuery(body.path ?? '/'),
      ...(userAgent ? { userAgent } : {}),
      audiences: body.audiences ?? [],
      // A believed certificate was presented over TLS (to the proxy) by definition.
      tls: isTrusted && body.tls !== undefined ? body.tls : peerCertificates.length > 0 || hop.tls,
    },
  };
}

function withoutForwardedRequest(headers: IncomingHop['headers']): IncomingHop['headers'] {
  const out: Record<string, string | readonly string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!['x-forwarded-uri', 'x-original-uri', 'x-forwarded-method', 'x-original-method'].includes(k.toLowerCase())) out[k] = v;
  }
  return out;
}

/** Query strings can carry tokens (`?access_token=`): they never reach strategies, events or logs. */
export function stripQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
