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
      if (revocation.expiresAt && Date.parse(revocation.expiresAt) <= now.getTime()) continue;
      if (covers(revocation, credential)) return revocation;
    }
    return undefined;
  }
}

function covers(revocation: CredentialRevokedData, credential: NonNullable<PolicyInput['credential']>): boolean {
  if (revocation.fingerprint) return revocation.fingerprint === credential.fingerprint;
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
