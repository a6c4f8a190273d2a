// PEM certificate chains from a file or a trusted proxy header (nginx `$ssl_client_escaped_cert`
// is URL-encoded; Traefik/Envoy send plain PEM). Total: garbage gives a typed `malformed` result.
import { X509Certificate } from 'node:crypto';

export type PemCertificatesResult =
  | { readonly kind: 'certificates'; readonly certificates: readonly X509Certificate[] }
  | { readonly kind: 'malformed'; readonly reason: 'malformed_credentials'; readonly message: string };

const MAX_PEM_BYTES = 256 * 1024;
const BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]+$/;

export function parsePemCertificates(text: string, options: { readonly maxCertificates?: number } = {}): PemCertificatesResult {
  const malformed = (message: string): PemCertificatesResult => ({ kind: 'malformed', reason: 'malformed_credentials', message });
  if (text.length > MAX_PEM_BYTES) return malformed('certificate PEM too large');
  let pem = text;
  if (!pem.includes('-----BEGIN CERTIFICATE-----') && pem.includes('%')) {
    try {
      pem = decodeURIComponent(pem);
    } catch {
      return malformed('certificate PEM is not valid URL encoding');
    }
  }
  const blocks = [...pem.matchAll(BLOCK)].map((m) => m[1] ?? '');
  if (blocks.length === 0) return malformed('no PEM certificate found');
  if (blocks.length > (options.maxCertificates ?? 10)) return malformed('too many certificates in chain');
  const certificates: X509Certificate[] = [];
  for (const [index, body] of blocks.entries()) {
    if (!BASE64_BODY.test(body)) return malformed(`certificate ${index + 1} is not base64`);
    const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    try {
      certificates.push(new X509Certificate(der));
    } catch {
      return malformed(`certificate ${index + 1} is not a valid X.509 certificate`);
    }
  }
  return { kind: 'certificates', certificates };
}
