// Client certificates handed over by a TLS-terminating proxy, in the three formats in use:
//   X-Forwarded-Client-Cert  Envoy XFCC (`Hash=…;Cert="<url-encoded PEM>"`, elements comma-joined),
//                            or a bare URL-encoded PEM
//   ssl-client-cert          nginx `$ssl_client_escaped_cert` (URL-encoded PEM)
//   X-Forwarded-Tls-Client-Cert  Traefik passTLSClientCert (base64 DER, comma-separated)
// Only read when the peer is listed in `authn.clientCertificateProxies` (trusted-proxies.ts), and
// safe only when that proxy replaces the header with its own verified value on every request
// (docs/authn.md: nginx, Envoy SANITIZE_SET, Traefik passTLSClientCert). Garbage is a typed
// result, never a throw.
import { X509Certificate } from 'node:crypto';

export type ForwardedCertificates =
  | { readonly kind: 'none' }
  | { readonly kind: 'certificates'; readonly chain: readonly X509Certificate[] }
  | { readonly kind: 'malformed'; readonly message: string };

const MAX_CERTIFICATES = 8;
const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function readForwardedCertificates(headers: Readonly<Record<string, string | undefined>>): ForwardedCertificates {
  const xfcc = headers['x-forwarded-client-cert'];
  const nginx = headers['ssl-client-cert'];
  const traefik = headers['x-forwarded-tls-client-cert'];
  // A proxy sets one of these and clears the others; two at once means one came from the client
  // (a proxy that overwrites only its own header), and we cannot tell which: refuse both.
  if ([xfcc, nginx, traefik].filter(Boolean).length > 1) return { kind: 'malformed', message: 'more than one client certificate header' };
  if (xfcc) return xfcc.includes('Cert=') || xfcc.includes('Hash=') ? fromXfcc(xfcc) : fromEscapedPem(xfcc);
  if (nginx) return fromEscapedPem(nginx);
  if (traefik) return fromBase64Der(traefik);
  return { kind: 'none' };
}

function fromXfcc(value: string): ForwardedCertificates {
  // The last element was added by the proxy nearest to us: that is the one we trust.
  const elements = splitOutsideQuotes(value, ',');
  const last = elements[elements.length - 1] ?? '';
  for (const pair of splitOutsideQuotes(last, ';')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim().toLowerCase();
    if (key === 'cert' || key === 'chain') return fromEscapedPem(unquote(pair.slice(eq + 1).trim()));
  }
  return { kind: 'malformed', message: 'X-Forwarded-Client-Cert carries no Cert element' };
}

function fromEscapedPem(value: string): ForwardedCertificates {
  let pem: string;
  try {
    pem = decodeURIComponent(value);
  } catch {
    return { kind: 'malformed', message: 'client certificate header is not URL-encoded' };
  }
  const blocks = pem.match(PEM_RE) ?? [];
  if (blocks.length === 0) return { kind: 'malformed', message: 'client certificate header holds no PEM certificate' };
  return parseAll(blocks);
}

function fromBase64Der(value: string): ForwardedCertificates {
  let parts: string[];
  try {
    parts = decodeURIComponent(value).split(',').map((p) => p.trim()).filter(Boolean);
  } catch {
    return { kind: 'malformed', message: 'client certificate header is not URL-encoded' };
  }
  if (parts.some((p) => !/^[A-Za-z0-9+/]+={0,2}$/.test(p))) return { kind: 'malformed', message: 'client certificate header is not base64' };
  return parseAll(parts.map((p) => Buffer.from(p, 'base64')));
}

function parseAll(items: readonly (string | Buffer)[]): ForwardedCertificates {
  if (items.length > MAX_CERTIFICATES) return { kind: 'malformed', message: `more than ${MAX_CERTIFICATES} certificates forwarded` };
  try {
    return { kind: 'certificates', chain: items.map((item) => new X509Certificate(item)) };
  } catch {
    return { kind: 'malformed', message: 'forwarded client certificate could not be parsed' };
  }
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}
