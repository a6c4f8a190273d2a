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
  private readonly byId = new Map<string, CredentialRevokedData>();

  revoke(revocation: CredentialRevokedData): void {
    this.byId.set(revocation.revocationId, revocation);
  }

  lift(revocationId: string): void {
    this.byId.delete(revocationId);
  }

  get size(): number {
    return this.byId.size;
  }

  list(): readonly CredentialRevokedData[] {
    return [...this.byId.values()];
  }

  /** The revocation that covers this credential at `now`, if any. */
  find(credential: PolicyInput['credential'], now: Date): CredentialRevokedData | undefined {
    if (!credential) return undefined;
    for (const revocation of this.byId.values()) {
      if (inForce(revocation, now) && covers(revocation, credential)) return revocation;
    }
    return undefined;
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

function covers(revocation: CredentialRevokedData, credential: NonNullable<PolicyInput['credential']>): boolean {
  const { fingerprint } = revocation;
  if (fingerprint) return fingerprint === credential.fingerprint || (credential.fingerprints?.includes(fingerprint) ?? false);
  if (revocation.jti) return credential.type !== 'x509' && revocation.jti === credential.publicId;
  if (revocation.certificate) {
    const x509 = credential.x509;
    return x509 !== undefined && normalizeSerial(x509.serial) === normalizeSerial(revocation.certificate.serial) && x509.issuer === revocation.certificate.issuer;
  }
  return false;
}

/** Serials arrive as hex with or without colons, leading zeros or case differences. */
function normalizeSerial(serial: string): string {
  return serial.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');
}
