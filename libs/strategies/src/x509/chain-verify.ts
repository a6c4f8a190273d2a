// Client-certificate chain verification with Node's OpenSSL-backed primitives, never by metadata
// alone: every link is `checkIssued` (names, key identifiers, issuer key usage) AND a signature
// check `verify(issuer.publicKey)`. The path goes from the leaf through presented intermediates
// (which must be CAs) to a certificate of the trusted bundle. Every certificate of the path must
// be inside its validity window; the leaf must carry the clientAuth EKU (intermediates that
// restrict EKU must allow it too); no certificate of the path may be on a CRL of its issuer.
//
// Deviation from Go/Kubernetes, on purpose: a leaf without any EKU extension is refused
// (Go treats "no EKU" as "any usage").
import type { X509Certificate } from 'node:crypto';
import type { ReasonCode } from '@authtrail/events';
import { normalizeSerial, type RevocationList } from './crl.parser';

export const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
export const ANY_EKU_OID = '2.5.29.37.0';

export type ChainCheck =
  | { readonly ok: true; readonly path: readonly X509Certificate[] }
  | { readonly ok: false; readonly reason: ReasonCode; readonly message: string };

export interface TrustAnchors {
  readonly roots: readonly X509Certificate[];
  readonly crls: readonly RevocationList[];
}

export function verifyClientChain(presented: readonly X509Certificate[], trust: TrustAnchors, now: Date, maxLength = 10): ChainCheck {
  const leaf = presented[0];
  if (!leaf) return { ok: false, reason: 'no_credentials', message: 'no client certificate' };
  // Each presented certificate may cost a signature check per link: bound the work.
  if (presented.length > maxLength) return { ok: false, reason: 'malformed_credentials', message: `more than ${maxLength} certificates presented` };
  const window = validity(leaf, now, 'client certificate');
  if (window) return window;

  const path: X509Certificate[] = [leaf];
  const intermediates = presented.slice(1);
  let current = leaf;
  let anchored = false;
  while (path.length <= maxLength) {
    const root = trust.roots.find((r) => issuedBy(current, r));
    if (root) {
      if (root.raw.equals(current.raw)) {
        anchored = true;
        break;
      }
      const rootWindow = validity(root, now, 'trusted CA certificate');
      if (rootWindow) return rootWindow;
      path.push(root);
      anchored = true;
      break;
    }
    const next = intermediates.find((c) => !path.includes(c) && c.ca && issuedBy(current, c));
    if (!next) break;
    const nextWindow = validity(next, now, 'intermediate CA certificate');
    if (nextWindow) return nextWindow;
    path.push(next);
    current = next;
  }
  if (!anchored) return { ok: false, reason: 'cert_untrusted', message: 'client certificate is not signed by a trusted CA' };

  if (!allowsClientAuth(leaf.keyUsage, false)) return { ok: false, reason: 'cert_not_client_auth', message: 'client certificate lacks the clientAuth extended key usage' };
  for (const intermediate of path.slice(1, -1)) {
    if (!allowsClientAuth(intermediate.keyUsage, true)) {
      return { ok: false, reason: 'cert_not_client_auth', message: 'an intermediate CA does not allow the clientAuth extended key usage' };
    }
  }

  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i];
    const issuer = path[i + 1];
    const serial = normalizeSerial(cert.serialNumber);
    if (trust.crls.some((crl) => crl.issuer.raw.equals(issuer.raw) && crl.revokedSerials.has(serial))) {
      return { ok: false, reason: 'cert_revoked', message: `${i === 0 ? 'client' : 'intermediate CA'} certificate serial ${serial} is revoked` };
    }
  }
  return { ok: true, path };
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function validity(cert: X509Certificate, now: Date, what: string): ChainCheck | undefined {
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) return { ok: false, reason: 'malformed_credentials', message: `${what} has an unreadable validity period` };
  // Kubernetes (Go crypto/x509) reports both cases as "expired or not yet valid".
  if (now.getTime() < notBefore) return { ok: false, reason: 'cert_expired', message: `${what} is not valid before ${new Date(notBefore).toISOString()}` };
  if (now.getTime() > notAfter) return { ok: false, reason: 'cert_expired', message: `${what} expired at ${new Date(notAfter).toISOString()}` };
  return undefined;
}

/** `usages` is Node's `keyUsage` (the EKU OIDs), undefined when the extension is absent. */
function allowsClientAuth(usages: readonly string[] | undefined, absentMeansAny: boolean): boolean {
  if (!usages) return absentMeansAny;
  return usages.includes(CLIENT_AUTH_OID) || usages.includes(ANY_EKU_OID);
}
