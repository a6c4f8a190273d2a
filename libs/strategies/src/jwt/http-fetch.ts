// A small `fetch` for discovery and JWKS documents over node:http(s), so an issuer can be
// trusted through its own CA bundle (`certificateAuthority`) without touching the process-wide
// trust store. Bounded: timeout, response size, no redirects (a redirect could point anywhere).
import * as http from 'node:http';
import * as https from 'node:https';

export type Fetch = (url: string, init?: { readonly signal?: AbortSignal; readonly headers?: Readonly<Record<string, string>> | Headers }) => Promise<Response>;

export interface HttpFetchOptions {
  /** PEM CA bundle trusted for https URLs; absent: Node's default roots. */
  readonly ca?: string;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

export function createHttpFetch(options: HttpFetchOptions = {}): Fetch {
  const timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
      if (!transport) {
        reject(new TypeError(`unsupported URL scheme ${target.protocol}`));
        return;
      }
      const headers: Record<string, string> = { accept: 'application/json' };
      new Headers(init?.headers as Record<string, string> | undefined).forEach((value, name) => (headers[name] = value));
      const request = transport.request(
        target,
        { method: 'GET', headers, timeout: timeoutMs, ...(options.ca && target.protocol === 'https:' ? { ca: options.ca } : {}) },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              request.destroy(new Error('response too large'));
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (typeof value === 'string') responseHeaders.set(name, value);
            }
            const status = response.statusCode ?? 500;
            // Response refuses bodies on these statuses and statuses outside 200-599.
            const usable = status >= 200 && status <= 599 && ![204, 205, 304].includes(status);
            resolve(new Response(usable ? Buffer.concat(chunks) : null, { status: usable ? status : 502, headers: responseHeaders }));
          });
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error('request timed out'), { name: 'TimeoutError' })));
      request.on('error', reject);
      const signal = init?.signal;
      if (signal) {
        if (signal.aborted) request.destroy(Object.assign(new Error('aborted'), { name: 'TimeoutError' }));
        else signal.addEventListener('abort', () => request.destroy(Object.assign(new Error('aborted'), { name: 'TimeoutError' })), { once: true });
      }
      request.end();
    });
}
