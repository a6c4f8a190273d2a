// The trusted side of client-certificate verification: the CA bundle (read once at start) and
// the CRLs (each verified against a bundle CA when loaded; reloaded when the file changes).
import type { X509Certificate } from 'node:crypto';
import type { ParseResult } from '../shared/file-reloader';
import { parseCrl, splitPemCrls, type RevocationList } from './crl.parser';
import { parsePemCertificates } from './pem-certificates.parser';

export function parseCaBundle(text: string): ParseResult<readonly X509Certificate[]> {
  const parsed = parsePemCertificates(text, { maxCertificates: 1000 });
  if (parsed.kind === 'malformed') return { ok: false, errors: [parsed.message] };
  const warnings = parsed.certificates.flatMap((c, i) => (c.ca ? [] : [`certificate ${i + 1} is not a CA certificate (basicConstraints CA:TRUE); it cannot issue client certificates`]));
  return { ok: true, value: parsed.certificates, warnings };
}

export function parseCrlFile(text: string, roots: readonly X509Certificate[], now: Date): ParseResult<readonly RevocationList[]> {
  const blocks = splitPemCrls(text);
  if (blocks.length === 0) return { ok: false, errors: ['no PEM CRL (-----BEGIN X509 CRL-----) found'] };
  const errors: string[] = [];
  const warnings: string[] = [];
  const crls: RevocationList[] = [];
  blocks.forEach((der, index) => {
    const result = parseCrl(der, roots);
    if (!result.ok) {
      errors.push(`CRL ${index + 1}: ${result.problem}`);
      return;
    }
    if (result.crl.nextUpdate && result.crl.nextUpdate.getTime() < now.getTime()) {
      warnings.push(`CRL ${index + 1}: nextUpdate ${result.crl.nextUpdate.toISOString()} has passed; still applied`);
    }
    crls.push(result.crl);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: crls, warnings };
}
