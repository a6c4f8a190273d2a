import fc from 'fast-check';
import { createFingerprinter, type CredentialRevokedData, type FingerprintKey } from '@authtrail/events';
import type { PolicyInput } from './policy-input';
import { RevocationSet } from './revocation-set';

const now = new Date('2026-12-06T12:00:00Z');
const oldKey: FingerprintKey = { id: 'k2026', secret: Buffer.alloc(32, 0x26) };
const newKey: FingerprintKey = { id: 'k2027', secret: Buffer.alloc(32, 0x27) };
const token = 'revoked-static-token-0123456789';

/** The credential as authn hands it to policy under a key configuration: every key's fingerprint. */
function presented(keys: readonly FingerprintKey[]): NonNullable<PolicyInput['credential']> {
  const fingerprinter = createFingerprinter({ keys });
  return { type: 'static-token', fingerprint: fingerprinter.fingerprint(token), fingerprints: fingerprinter.candidates(token) };
}

describe('RevocationSet across a fingerprint key rotation', () => {
  // Revoked while k2026 was the only key: the revocation names k2026.
  const revocationUnderOldKey = { revocationId: 'rev-old', fingerprint: createFingerprinter({ keys: [oldKey] }).fingerprint(token) };

  it.each<[string, readonly FingerprintKey[], string | undefined]>([
    ['before the rotation (old key only) the credential is refused', [oldKey], 'rev-old'],
    ['during the rotation (new key first, old key second) the credential is still refused', [newKey, oldKey], 'rev-old'],
    ['with the old key listed first again (rotation rolled back) the credential is still refused', [oldKey, newKey], 'rev-old'],
    ['once the old key is removed, the revocation made under it no longer matches', [newKey], undefined],
  ])('%s', (_sentence, keys, expected) => {
    const set = new RevocationSet();
    set.revoke(revocationUnderOldKey);
    expect(set.find(presented(keys), now)?.revocationId).toBe(expected);
  });

  it('a credential described by its writing-key fingerprint only (no candidates) matches by equality, as before', () => {
    const set = new RevocationSet();
    set.revoke(revocationUnderOldKey);
    const { fingerprints: _all, ...onlyFirst } = presented([newKey, oldKey]);
    expect(set.find(onlyFirst, now)).toBeUndefined();
    expect(set.find({ type: 'static-token', fingerprint: revocationUnderOldKey.fingerprint }, now)?.revocationId).toBe('rev-old');
  });

  it('a revocation re-made under the new key before the old key is removed keeps refusing afterwards', () => {
    const set = new RevocationSet();
    set.revoke(revocationUnderOldKey);
    set.revoke({ revocationId: 'rev-new', fingerprint: createFingerprinter({ keys: [newKey] }).fingerprint(token) });
    expect(set.find(presented([newKey]), now)?.revocationId).toBe('rev-new');
  });

  it.each<[string, readonly string[], readonly string[]]>([
    ['with both keys configured no revocation is under a retired key', ['k2027', 'k2026'], []],
    ['with the old key removed the revocations made under it are named', ['k2027'], ['rev-old']],
  ])('underRetiredKeys: %s (jti, certificate and expired revocations are never named)', (_sentence, keyIds, expected) => {
    const set = new RevocationSet();
    set.revoke(revocationUnderOldKey);
    set.revoke({ revocationId: 'rev-new', fingerprint: `hmac-sha256:k2027:${'ab'.repeat(32)}` });
    set.revoke({ revocationId: 'rev-expired', fingerprint: `hmac-sha256:k2025:${'cd'.repeat(32)}`, expiresAt: now.toISOString() });
    set.revoke({ revocationId: 'rev-jti', jti: 'jti-1' });
    set.revoke({ revocationId: 'rev-cert', certificate: { serial: '0a', issuer: 'CN=ca' } });
    expect(set.underRetiredKeys(keyIds, now).map((r) => r.revocationId)).toEqual(expected);
  });
});

/** The look-up as it was before the index: every revocation in the order made, the first that covers. */
function scanned(revocations: readonly CredentialRevokedData[], credential: PolicyInput['credential'], at: Date): string | undefined {
  if (!credential) return undefined;
  const serial = (value: string) => value.replace(/:/g, '').toLowerCase().replace(/^0+(?=.)/, '');
  const covers = (r: CredentialRevokedData): boolean => {
    if (r.fingerprint) return r.fingerprint === credential.fingerprint || (credential.fingerprints?.includes(r.fingerprint) ?? false);
    if (r.jti) return credential.type !== 'x509' && r.jti === credential.publicId;
    if (r.certificate) return credential.x509 !== undefined && serial(credential.x509.serial) === serial(r.certificate.serial) && credential.x509.issuer === r.certificate.issuer;
    return false;
  };
  return revocations.find((r) => (!r.expiresAt || Date.parse(r.expiresAt) > at.getTime()) && covers(r))?.revocationId;
}

describe('RevocationSet look-up', () => {
  // Few values of each kind, so revocations and credentials meet often.
  const fingerprint = fc.constantFrom('hmac-sha256:a:01', 'hmac-sha256:a:02', 'hmac-sha256:b:01');
  const id = fc.constantFrom('jti-1', 'jti-2', '');
  const serialText = fc.constantFrom('0a', '0A', '00:0a', '0b', '0');
  const issuer = fc.constantFrom('CN=ca', 'CN=other');
  const expiresAt = fc.option(fc.constantFrom('2026-12-06T11:59:59.999Z', '2026-12-06T12:00:00.000Z', '2026-12-06T12:00:00.001Z', '2027-01-01T00:00:00Z'), { nil: undefined });
  const revocation = fc.record(
    {
      revocationId: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6'),
      fingerprint,
      jti: id,
      certificate: fc.record({ serial: serialText, issuer }),
      expiresAt,
    },
    { requiredKeys: ['revocationId'] },
  ) as fc.Arbitrary<CredentialRevokedData>;
  const operation = fc.oneof(revocation.map((r) => ({ revoke: r })), fc.constantFrom('r1', 'r2', 'r3').map((lift) => ({ lift })));
  const credential = fc.record(
    {
      type: fc.constantFrom('static-token', 'service-account', 'x509'),
      fingerprint,
      fingerprints: fc.array(fingerprint, { maxLength: 3 }),
      publicId: id,
      x509: fc.record({ serial: serialText, issuer, notBefore: fc.constant(now), notAfter: fc.constant(now) }),
    },
    { requiredKeys: ['type'] },
  ) as fc.Arbitrary<NonNullable<PolicyInput['credential']>>;

  it('finds what scanning every revocation in the order made finds, after any revocations, re-revocations and lifts', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 25 }), fc.array(credential, { minLength: 1, maxLength: 5 }), (operations, credentials) => {
        const set = new RevocationSet();
        // The reference keeps a revocation made again at its first place, as a Map does.
        const made = new Map<string, CredentialRevokedData>();
        for (const op of operations) {
          if ('revoke' in op) {
            set.revoke(op.revoke);
            made.set(op.revoke.revocationId, op.revoke);
          } else {
            set.lift(op.lift);
            made.delete(op.lift);
          }
        }
        expect(set.list()).toEqual([...made.values()]);
        for (const presented of credentials) expect(set.find(presented, now)?.revocationId).toBe(scanned([...made.values()], presented, now));
      }),
      { numRuns: 500 },
    );
  });
});
