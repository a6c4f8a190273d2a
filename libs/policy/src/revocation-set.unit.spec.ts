import { createFingerprinter, type FingerprintKey } from '@authtrail/events';
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
