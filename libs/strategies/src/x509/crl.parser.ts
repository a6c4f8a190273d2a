// Parses X.509 CRLs (RFC 5280 §5) from PEM and checks each one's signature against the CA that
// issued it, with Node's OpenSSL-backed `crypto.verify`. node-forge is used only as an ASN.1 DER
// reader (it has no CRL support). Total: any input gives a typed result.
import { X509Certificate, verify as cryptoVerify } from 'node:crypto';
import forge from 'node-forge';

export interface RevocationList {
  /** The CA (from the trusted bundle) whose key verified this CRL. */
  readonly issuer: X509Certificate;
  /** Revoked serial numbers: upper-case hex without leading zeros. */
  readonly revokedSerials: ReadonlySet<string>;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
}

export type CrlResult = { readonly ok: true; readonly crl: RevocationList } | { readonly ok: false; readonly problem: string };

// Signature algorithms a CRL may use; anything else (e.g. RSASSA-PSS) is refused.
const SIGNATURE_DIGESTS: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
};

const CRL_BLOCK = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g;

export function splitPemCrls(text: string): readonly Buffer[] {
  return [...text.matchAll(CRL_BLOCK)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

/** Serial numbers compare as upper-case hex without leading zeros (as `X509Certificate.serialNumber` prints them). */
export function normalizeSerial(hex: string): string {
  return hex.toUpperCase().replace(/^0+(?=.)/, '');
}

export function parseCrl(der: Buffer, trusted: readonly X509Certificate[]): CrlResult {
  let root: forge.asn1.Asn1;
  try {
    // The typings only know `strict: boolean`; node-forge also takes an options object. Bit strings
    // stay undecoded so an ECDSA signature (itself DER) is kept as bytes.
    const options = { strict: true, parseAllBytes: true, decodeBitStrings: false } as unknown as boolean;
    root = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), options);
  } catch {
    return { ok: false, problem: 'not a DER CRL' };
  }
  const outer = children(root);
  if (!outer || outer.length !== 3) return { ok: false, problem: 'CRL is not a SEQUENCE of three' };
  const [tbs, outerAlgorithm, signatureBits] = outer as [forge.asn1.Asn1, forge.asn1.Asn1, forge.asn1.Asn1];
  const algorithm = oidOf(outerAlgorithm);
  if (algorithm === undefined || !(algorithm in SIGNATURE_DIGESTS)) return { ok: false, problem: 'unsupported CRL signature algorithm' };
  if (signatureBits.type !== forge.asn1.Type.BITSTRING || typeof signatureBits.value !== 'string' || signatureBits.value.charCodeAt(0) !== 0) {
    return { ok: false, problem: 'CRL signature is not a BIT STRING' };
  }
  const signature = Buffer.from(signatureBits.value.slice(1), 'binary');
  const tbsFields = children(tbs);
  if (!tbsFields) return { ok: false, problem: 'CRL body is not a SEQUENCE' };
  let i = 0;
  if (tbsFields[i]?.type === forge.asn1.Type.INTEGER) i++; // version
  if (oidOf(tbsFields[i]) !== algorithm) return { ok: false, problem: 'CRL inner and outer signature algorithms differ' };
  i += 2; // signature algorithm, issuer name
  const thisUpdate = timeOf(tbsFields[i++]);
  if (!thisUpdate) return { ok: false, problem: 'CRL thisUpdate is missing' };
  const nextUpdate = timeOf(tbsFields[i]);
  if (nextUpdate) i++;
  const revokedSerials = new Set<string>();
  const revoked = tbsFields[i];
  if (revoked && revoked.tagClass === forge.asn1.Class.UNIVERSAL && revoked.type === forge.asn1.Type.SEQUENCE) {
    for (const entry of children(revoked) ?? []) {
      const serial = children(entry)?.[0];
      if (!serial || serial.type !== forge.asn1.Type.INTEGER || typeof serial.value !== 'string') return { ok: false, problem: 'CRL entry without a serial number' };
      revokedSerials.add(normalizeSerial(Buffer.from(serial.value, 'binary').toString('hex')));
    }
  }

  const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  const issuer = trusted.find((ca) => {
    try {
      return cryptoVerify(SIGNATURE_DIGESTS[algorithm] ?? null, tbsDer, ca.publicKey, signature);
    } catch {
      return false;
    }
  });
  if (!issuer) return { ok: false, problem: 'CRL signature is not verified by any CA of the bundle' };
  return { ok: true, crl: { issuer, revokedSerials, thisUpdate, ...(nextUpdate ? { nextUpdate } : {}) } };
}

function children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] | undefined {
  return node && Array.isArray(node.value) ? node.value : undefined;
}

function oidOf(algorithmIdentifier: forge.asn1.Asn1 | undefined): string | undefined {
  const oid = children(algorithmIdentifier)?.[0];
  if (!oid || oid.type !== forge.asn1.Type.OID || typeof oid.value !== 'string') return undefined;
  try {
    return forge.asn1.derToOid(oid.value);
  } catch {
    return undefined;
  }
}

function timeOf(node: forge.asn1.Asn1 | undefined): Date | undefined {
  if (!node || typeof node.value !== 'string' || node.tagClass !== forge.asn1.Class.UNIVERSAL) return undefined;
  try {
    if (node.type === forge.asn1.Type.UTCTIME) return forge.asn1.utcTimeToDate(node.value);
    if (node.type === forge.asn1.Type.GENERALIZEDTIME) return forge.asn1.generalizedTimeToDate(node.value);
  } catch {
    return undefined;
  }
  return undefined;
}
