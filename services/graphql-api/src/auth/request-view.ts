// The strategies' view of an API request (HTTP or WebSocket upgrade). The API listens on plain
// HTTP; the source IP comes from fastify's trustProxy handling (or the socket for WebSockets).
import type { IncomingHttpHeaders } from 'node:http';
import type { BuiltView } from '@authtrail/authentication';
import type { RequestView } from '@authtrail/strategies';

export function lowerCaseHeaders(headers: IncomingHttpHeaders, extra: Readonly<Record<string, string>> = {}): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  for (const [name, value] of Object.entries(extra)) out[name.toLowerCase()] = value;
  return out;
}

export function toRequestView(input: {
  readonly headers: IncomingHttpHeaders;
  readonly extraHeaders?: Readonly<Record<string, string>>;
  readonly sourceIp: string | undefined;
  readonly method: string;
  readonly path: string;
}): RequestView {
  const headers = lowerCaseHeaders(input.headers, input.extraHeaders);
  return {
    headers,
    peerCertificates: [],
    sourceIp: input.sourceIp ?? '',
    method: input.method,
    path: input.path,
    ...(headers['user-agent'] ? { userAgent: headers['user-agent'] } : {}),
    audiences: [],
    tls: false,
  };
}

/** The decision path's input: no forwarded hops are recorded (fastify already resolved the client address). */
export function toBuiltView(input: Parameters<typeof toRequestView>[0]): BuiltView {
  return { view: toRequestView(input), forwardedFor: [] };
}
