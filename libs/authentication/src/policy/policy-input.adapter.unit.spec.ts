import type { AuthOutcome, RequestView } from '@authtrail/strategies';
import { toPolicyInput } from './policy-input.adapter';

const request: RequestView = { headers: {}, peerCertificates: [], sourceIp: '203.0.113.7', method: 'GET', path: '/x', audiences: [], tls: true };
const user = { username: 'alice', uid: 'u-1', groups: ['dev'], extra: { team: ['a'] } };
const issuedAt = new Date('2026-01-01T00:00:00Z');
const expiresAt = new Date('2026-01-01T01:00:00Z');
const x509 = { serial: '0A', subject: 'CN=alice', issuer: 'CN=ca', notBefore: issuedAt, notAfter: expiresAt, sha256: 'ab'.repeat(32) };

describe('toPolicyInput', () => {
  it('an allow carries the strategy, the user, every credential fact policy reads and the fingerprints; never the secret', () => {
    const outcome: AuthOutcome = {
      kind: 'authenticated',
      user,
      credential: { type: 'basic-auth', secretForFingerprint: 'alice:pw', publicId: 'p-1', issuer: 'iss', issuedAt, expiresAt, x509, passwordStorage: 'plaintext', legacyToken: true },
    };
    expect(toPolicyInput({ endpoint: 'tokenreview', request, outcome, strategy: 'basic-auth', credentialFingerprint: 'fp-1', credentialFingerprints: ['fp-1', 'fp-0'] })).toStrictEqual({
      decision: 'allow',
      strategy: 'basic-auth',
      user,
      credential: { type: 'basic-auth', fingerprint: 'fp-1', fingerprints: ['fp-1', 'fp-0'], publicId: 'p-1', issuer: 'iss', issuedAt, expiresAt, x509, passwordStorage: 'plaintext', legacyToken: true },
      request: { endpoint: 'tokenreview', sourceIp: '203.0.113.7', tls: true },
    });
  });

  it('a rejection carries its credential but no user; absent facts stay absent', () => {
    const outcome: AuthOutcome = { kind: 'rejected', reason: 'unknown_token', message: 'no', credential: { type: 'static-token', secretForFingerprint: 'tok' } };
    expect(toPolicyInput({ endpoint: 'forward-auth', request, outcome })).toStrictEqual({
      decision: 'deny',
      credential: { type: 'static-token' },
      request: { endpoint: 'forward-auth', sourceIp: '203.0.113.7', tls: true },
    });
  });

  it('no credential presented: a deny with neither user nor credential', () => {
    expect(toPolicyInput({ endpoint: 'authenticate', request, outcome: { kind: 'abstained' }, strategy: 'x' })).toStrictEqual({ decision: 'deny', strategy: 'x', request: { endpoint: 'authenticate', sourceIp: '203.0.113.7', tls: true } });
  });
});
