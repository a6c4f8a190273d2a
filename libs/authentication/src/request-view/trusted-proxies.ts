// Which peers may speak for someone else. X-Forwarded-* headers are believed ONLY from
// `trustedProxies`: from anyone else they are forgeries and ignored, because an X-Forwarded-For is
// free text. Client certificates handed over by a proxy (headers, or `clientCertificate` of
// /v1/authenticate) are believed ONLY from `clientCertificateProxies`, a list of its own, empty
// by default: a certificate is public and authtrail sees no proof that the sender holds its key
// (the proxy checked that in its TLS handshake), so whoever may hand one over can be anyone whose
// certificate it has seen. Loopback is not enough: any local process, or an SSRF through a local
// service, would become every certificate holder.
import ipaddr from 'ipaddr.js';

export interface TrustedProxies {
  /** May describe the original request: X-Forwarded-For/-Method/-Uri/-Proto, `sourceIp`, `tls`. */
  isTrusted(address: string | undefined): boolean;
  /** May hand over the client's certificate (`clientCertificateProxies`). */
  forwardsCertificates(address: string | undefined): boolean;
}

export function createTrustedProxies(cidrs: readonly string[], clientCertificateProxies: readonly string[] = []): TrustedProxies {
  const trusted = inRanges(cidrs);
  const certificateProxy = inRanges(clientCertificateProxies);
  return {
    isTrusted: (address) => (address ? trusted(address) : false),
    forwardsCertificates: (address) => (address ? certificateProxy(address) : false),
  };
}

function inRanges(cidrs: readonly string[]): (address: string) => boolean {
  const ranges = cidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  return remembered((address) => {
    const parsed = parseAddress(address);
    return parsed !== undefined && ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits));
  });
}

/**
 * Every request asks about its peer address (one per connection, a handful of proxies): parsing
 * it each time costs more than the rest of a cached authentication. Bounded, so addresses an
 * attacker makes up cannot grow it: it starts over when full.
 */
function remembered<T>(compute: (address: string) => T, limit = 4_096): (address: string) => T {
  const known = new Map<string, T>();
  return (address) => {
    if (known.has(address)) return known.get(address) as T;
    if (known.size >= limit) known.clear();
    const value = compute(address);
    known.set(address, value);
    return value;
  };
}

const canonicalAddress = remembered((address) => parseAddress(address)?.toString());

/** Parses an address; IPv4-mapped IPv6 (`::ffff:10.0.0.1`, how Node reports IPv4 on dual-stack) becomes IPv4. */
export function parseAddress(address: string | undefined): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!address) return undefined;
  try {
    const parsed = ipaddr.parse(address.trim());
    return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
  } catch {
    return undefined;
  }
}

/** Canonical text of an address (`::ffff:127.0.0.1` → `127.0.0.1`), or undefined when it is not one. */
export function normalizeAddress(address: string | undefined): string | undefined {
  return address ? canonicalAddress(address) : undefined;
}

/**
 * The client address behind a chain of proxies: X-Forwarded-For read from the right, skipping
 * trusted hops, the first untrusted hop is the client (what nginx `real_ip_recursive` does).
 * A peer that is not trusted is itself the client, whatever its headers say.
 */
export function resolveClientAddress(peer: string, forwardedFor: readonly string[], trusted: TrustedProxies): string {
  return resolveClient(peer, forwardedFor, trusted).address;
}

/** The client behind the proxies, and the trusted proxies between it and authtrail. */
export interface ResolvedClient {
  readonly address: string;
  /**
   * The trusted proxies the request passed, canonical addresses, nearest the client first and
   * the peer last; empty when the peer itself is the client (untrusted peer, no or unusable
   * X-Forwarded-For).
   */
  readonly proxies: readonly string[];
}

const NO_PROXIES: readonly string[] = Object.freeze([]);

/** `resolveClientAddress`, with the trusted chain it walked through (the webhook caller's proxies). */
export function resolveClient(peer: string, forwardedFor: readonly string[], trusted: TrustedProxies): ResolvedClient {
  if (!trusted.isTrusted(peer)) return { address: peer, proxies: NO_PROXIES };
  for (let i = forwardedFor.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(forwardedFor[i]);
    if (hop === undefined) return { address: peer, proxies: NO_PROXIES }; // garbage in the chain: stop believing it
    if (!trusted.isTrusted(hop) || i === 0) return { address: hop, proxies: [...forwardedFor.slice(i + 1).map((h) => normalizeAddress(h) ?? h), peer] };
  }
  return { address: peer, proxies: NO_PROXIES };
}

/** `X-Forwarded-For: a, b` (possibly repeated and joined by Node) → `['a', 'b']`. */
export function splitForwardedFor(header: string | undefined): string[] {
  if (!header) return [];
  return header.split(',').map((s) => s.trim()).filter((s) => s.length > 0).slice(0, 32);
}
