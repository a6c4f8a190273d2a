// The strategies' view of an API caller (HTTP request or WebSocket upgrade), by the same rules as
// authn's own endpoints (libs/authentication `selfView`): the caller's own credentials on a
// request to this service; X-Forwarded-For and X-Forwarded-Proto believed only from
// `authn.trustedProxies`, certificate headers only from `authn.clientCertificateProxies`. The API
// listens on plain HTTP, so a TLS hop is known only from a trusted proxy.
import type { IncomingMessage } from 'node:http';
import { selfView, type BuiltView, type TrustedProxies } from '@authtrail/authentication';

export function callerView(request: IncomingMessage, trusted: TrustedProxies, extraHeaders: Readonly<Record<string, string>> = {}): BuiltView {
  return selfView(
    {
      peerAddress: request.socket.remoteAddress ?? '',
      headers: { ...request.headers, ...extraHeaders },
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      tls: false,
      peerCertificates: [],
    },
    trusted,
  );
}
