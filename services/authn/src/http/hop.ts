// What the socket says about a fastify request: peer address, TLS and the client certificate chain.
import { X509Certificate } from 'node:crypto';
import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket, PeerCertificate, DetailedPeerCertificate } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { IncomingHop } from '@authtrail/authentication';

const NONE: readonly X509Certificate[] = Object.freeze([]);

/** What a connection's handshake said about its client: the chain (leaf first) and whether TLS verified it. */
interface PeerChain {
  readonly certificates: readonly X509Certificate[];
  /** `socket.authorized`: the chain verified against the listener's `ca` (authn.https.clientCAFile). */
  readonly verified: boolean;
}

const NO_CHAIN: PeerChain = Object.freeze({ certificates: NONE, verified: false });
/** Marks a connection whose chain is wanted but not read yet (compared by identity, never returned). */
const UNREAD: PeerChain = Object.freeze({ certificates: NONE, verified: false });
/**
 * Connections whose client certificate is read: UNREAD until their first request, then the chain,
 * kept for the connection's lifetime (every request on a kept-alive connection reuses it).
 * Weak: an entry goes with its socket.
 */
const chains = new WeakMap<TLSSocket, PeerChain>();

/**
 * When the socket's client certificate is read (issues #16, #17): once per connection, on its
 * first request, on every connection of an HTTPS listener that asks for one (`requestCert`;
 * without it no client sends a certificate) — never on plain HTTP, never on a listener that does
 * not ask. Two readers use it: the x509 strategy, where the certificate is the request's
 * credential (forward-auth, SelfSubjectReview), and the decision's `request.caller`, where it
 * identifies who called (kube-apiserver calling TokenReview, a gateway calling /v1/authenticate:
 * libs/authentication request-view.ts; there the strategies never see it). On every other
 * connection `getPeerCertificate` is never called and the hop's chain is empty. On these
 * connections TLS renegotiation is refused, so the certificate cannot change under the cached
 * chain (TLS 1.3 has none anyway).
 */
export function readClientCertificatesOn(server: HttpsServer): void {
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.disableRenegotiation();
    chains.set(socket, UNREAD);
  });
}

export function hopOf(request: FastifyRequest): IncomingHop {
  const socket = request.raw.socket as Partial<TLSSocket> | undefined;
  const tls = socket?.encrypted === true;
  const chain = tls ? chainOf(socket as TLSSocket) : NO_CHAIN;
  return {
    peerAddress: request.raw.socket?.remoteAddress ?? request.ip,
    headers: request.headers,
    method: request.method,
    url: request.url,
    tls,
    peerCertificates: chain.certificates,
    peerCertificatesVerified: chain.verified,
  };
}

function chainOf(socket: TLSSocket): PeerChain {
  const known = chains.get(socket);
  if (known !== UNREAD) return known ?? NO_CHAIN;
  const chain = peerChain(socket);
  chains.set(socket, chain);
  return chain;
}

/** Leaf first; the chain as the client sent it (verification for authentication is the x509 strategy's job). */
function peerChain(socket: TLSSocket): PeerChain {
  let cert: PeerCertificate | DetailedPeerCertificate | undefined;
  try {
    cert = socket.getPeerCertificate(true);
  } catch {
    return NO_CHAIN;
  }
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  while (cert && cert.raw && chain.length < 8) {
    const fingerprint = cert.fingerprint256;
    if (seen.has(fingerprint)) break;
    seen.add(fingerprint);
    try {
      chain.push(new X509Certificate(cert.raw));
    } catch {
      break;
    }
    cert = 'issuerCertificate' in cert ? cert.issuerCertificate : undefined;
  }
  if (chain.length === 0) return NO_CHAIN;
  return Object.freeze({ certificates: Object.freeze(chain), verified: socket.authorized === true });
}
