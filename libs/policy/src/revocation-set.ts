// Revocations in force. A revocation by fingerprint names the key it was made under
// (`hmac-sha256:<keyId>:<hex>`); the credential arrives with its fingerprint under every
// configured key, so a fingerprint key rotation (new key first, old key kept) lifts nothing.
// Once the old key is removed from the configuration its revocations cannot match any more (an
// HMAC cannot be recomputed without its key): `underRetiredKeys` names them so authn can warn,
// and operators re-revoke under the current key before removing the old one (docs/policy.md).
import type { CredentialRevokedData } from '@authtrail/events';
import type { PolicyInput } from './policy-input';

/** Revocations in force, looked up by fingerprint, JWT id, or certificate serial + issuer. */
export class RevocationSet {
  private readonly byId = new Map<string, Revoked>();
  // Each revocation under the one key that can match it (`covers` below): a decision looks up its
  // credential's few keys instead of scanning every revocation (with thousands in force, the scan
  // cost every decision tens of µs).
  private readonly byKey = new Map<string, Map<string, Revoked>>();
  private revoked = 0;

  revoke(revocation: CredentialRevokedData): void {
    const earlier = this.byId.get(revocation.revocationId);
    if (earlier) this.unindex(earlier);
    // A revocation made again keeps its place: the earliest made that covers a credential names it.
    const entry: Revoked = { revocation, order: earlier?.order ?? this.revoked++, key: matchKeyOf(revocation) };
    this.byId.set(revocation.revocationId, entry);
    if (entry.key === undefined) return;
    let entries = this.byKey.get(entry.key);
    if (!entries) this.byKey.set(entry.key, (entries = new Map()));
    entries.set(revocation.revocationId, entry);
  }

  lift(revocationId: string): void {
    const entry = this.byId.get(revocationId);
    if (!entry) return;
    this.unindex(entry);
    this.byId.delete(revocationId);
  }

  get size(): number {
    return this.byId.size;
  }

  list(): readonly CredentialRevokedData[] {
    return [...this.byId.values()].map((entry) => entry.revocation);
  }

  /** The revocation that covers this credential at `now` (the earliest made, if several), if any. */
  find(credential: PolicyInput['credential'], now: Date): CredentialRevokedData | undefined {
    if (!credential || this.byKey.size === 0) return undefined;
    let found: Revoked | undefined;
    const consider = (key: string) => {
      const entries = this.byKey.get(key);
      if (!entries) return;
      for (const entry of entries.values()) {
        if ((found === undefined || entry.order < found.order) && inForce(entry.revocation, now)) found = entry;
      }
    };
    if (credential.fingerprint) consider(fingerprintKey(credential.fingerprint));
    for (const fingerprint of credential.fingerprints ?? []) if (fingerprint !== credential.fingerprint) consider(fingerprintKey(fingerprint));
    if (credential.type !== 'x509' && credential.publicId) consider(jtiKey(credential.publicId));
    if (credential.x509) consider(certificateKey(credential.x509));
    return found?.revocation;
  }

  private unindex(entry: Revoked): void {
    if (entry.key === undefined) return;
    const entries = this.byKey.get(entry.key);
    entries?.delete(entry.revocation.revocationId);
    if (entries?.size === 0) this.byKey.delete(entry.key);
  }

  /**
   * Revocations by fingerprint, in force at `now`, whose key is not among `configuredKeyIds`
   * (the fingerprinter's `keyIds`): no credential can match them any more.
   */
  underRetiredKeys(configuredKeyIds: readonly string[], now: Date): readonly CredentialRevokedData[] {
    return this.list().filter(
      (revocation) => revocation.fingerprint !== undefined && inForce(revocation, now) && !configuredKeyIds.includes(fingerprintKeyId(revocation.fingerprint) ?? ''),
    );
  }
}

function inForce(revocation: CredentialRevokedData, now: Date): boolean {
  return !revocation.expiresAt || Date.parse(revocation.expiresAt) > now.getTime();
}

/** The key id of `hmac-sha256:<keyId>:<hex>`, undefined when it is not one. */
function fingerprintKeyId(fingerprint: string): string | undefined {
  const parts = fingerprint.split(':');
  return parts.length === 3 && parts[0] === 'hmac-sha256' ? parts[1] : undefined;
}

interface Revoked {
  readonly revocation: CredentialRevokedData;
  /** When it was first made: of several covering one credential, the earliest is reported. */
  readonly order: number;
  /** The one key a credential must present to be covered (undefined: it covers nothing). */
  readonly key: string | undefined;
}

/**
 * What a revocation matches, one kind only: a fingerprint (any of the credential's fingerprints
 * under the configured keys), else a JWT id (any credential but a certificate's public id), else a
 * certificate's serial and issuer.
 */
function matchKeyOf(revocation: CredentialRevokedData): string | undefined {
  if (revocation.fingerprint) return fingerprintKey(revocation.fingerprint);
  if (revocation.jti) return jtiKey(revocation.jti);
  if (revocation.certificate) return certificateKey(revocation.certificate);
  return undefined;
}

const fingerprintKey = (fingerprint: string) => `fingerprint\u0000${fingerprint}`;
const jtiKey = (jti: string) => `jti\u0000${jti}`;
const certificateKey = (certificate: { readonly serial: string; readonly issuer: string }) => `certificate\u0000${normalizeSerial(certificate.serial)}\u0000${certificate.issuer}`;

/** Serials arrive as hex with or without colons, leading zeros or case differences. */
function normalizeSerial(serial: string): string {
  return serial.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');
}
