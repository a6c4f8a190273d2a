// What the socket says about a fastify request: peer address, TLS and the client certificate chain.
import { X509Certificate } from 'node:crypto';
import type { TLSSocket, PeerCertificate, DetailedPeerCertificate } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { IncomingHop } from '@authtrail/authentication';

export function hopOf(request: FastifyRequest): IncomingHop {
  const socket = request.raw.socket as Partial<TLSSocket> | undefined;
  const tls = socket?.encrypted === true;
  return {
    peerAddress: request.raw.socket?.remoteAddress ?? '',
    headers: request.headers as IncomingHop['headers'],
    method: request.method,
    url: request.url,
    tls,
    peerCertificates: tls ? peerChain(socket as TLSSocket) : [],
  };
}

/** Leaf first; the chain as the client sent it (verification is the x509 strategy's job). */
function peerChain(socket: TLSSocket): X509Certificate[] {
  let cert: PeerCertificate | DetailedPeerCertificate | undefined;
  try {
    cert = socket.getPeerCertificate(true);
  } catch {
    return [];
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
  return chain;
}
