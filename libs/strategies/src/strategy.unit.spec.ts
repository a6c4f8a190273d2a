import { createHmac } from 'node:crypto';
import { createFingerprinter } from '@authtrail/events';
import { fingerprinted, type CredentialDescription } from './strategy';

// A rotation in progress: the new key writes, the old one is still configured.
const newKey = Buffer.alloc(32, 0x11);
const oldKey = Buffer.alloc(32, 0x22);
const fingerprinter = createFingerprinter({ keys: [{ id: 'k2027', secret: newKey }, { id: 'k2026', secret: oldKey }] });
const hmac = (id: string, key: Buffer, secret: string) => `hmac-sha256:${id}:${createHmac('sha256', key).update(secret).digest('hex')}`;

const secret = 'a-static-token-0123456789';
const presented: CredentialDescription = { type: 'static-token', secretForFingerprint: secret, publicId: 'u-1' };

describe('fingerprinted', () => {
  it.each<[string, CredentialDescription, Parameters<typeof fingerprinted>[2], CredentialDescription]>([
    [
      'with candidates, the credential carries its fingerprint under every key, the writing key first, and no secret',
      presented,
      fingerprinter.candidates,
      { type: 'static-token', publicId: 'u-1', fingerprint: hmac('k2027', newKey, secret), fingerprints: [hmac('k2027', newKey, secret), hmac('k2026', oldKey, secret)] },
    ],
    [
      'without candidates (callers not yet passing them), only the writing key fingerprint is computed',
      presented,
      undefined,
      { type: 'static-token', publicId: 'u-1', fingerprint: hmac('k2027', newKey, secret) },
    ],
    [
      'a credential without a secret (already fingerprinted, e.g. a cache hit) is returned as it is',
      { type: 'static-token', fingerprint: 'hmac-sha256:k2027:aa', fingerprints: ['hmac-sha256:k2027:aa', 'hmac-sha256:k2026:bb'] },
      fingerprinter.candidates,
      { type: 'static-token', fingerprint: 'hmac-sha256:k2027:aa', fingerprints: ['hmac-sha256:k2027:aa', 'hmac-sha256:k2026:bb'] },
    ],
  ])('%s', (_sentence, credential, candidates, expected) => {
    const result = fingerprinted(credential, fingerprinter.fingerprint, candidates);
    expect(result).toEqual(expected);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('computes one HMAC per key: the writing key fingerprint is the first candidate, not a second HMAC', () => {
    let fingerprintCalls = 0;
    let candidateCalls = 0;
    fingerprinted(
      presented,
      (s) => (fingerprintCalls++, fingerprinter.fingerprint(s)),
      (s) => (candidateCalls++, fingerprinter.candidates(s)),
    );
    expect({ fingerprintCalls, candidateCalls }).toEqual({ fingerprintCalls: 0, candidateCalls: 1 });
  });
});
