import { createHash, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mintCa, mintClientCert, mintCrl, destroyCa, type TestCa, type TestCert } from '@authtrail/testing';
import { FileLoadError } from '../shared/file-reloader';
import { requestView } from '../shared/request-view.fixture';
import { eventually, tempFolder } from '../shared/temp-files.fixture';
import type { Strategy } from '../strategy';
import { createX509Strategy } from './x509.strategy';

const DAY = 86_400_000;

describe('x509 strategy (certificates minted by the test PKI helper)', () => {
  const files = tempFolder('x509');
  const cas: TestCa[] = [];
  const strategies: Strategy[] = [];
  let rsaCa: TestCa;
  let ecCa: TestCa;
  let otherCa: TestCa;
  let intermediate: TestCa;
  const certs: Record<string, TestCert> = {};
  let strategy: Strategy;

  beforeAll(async () => {
    rsaCa = mintCa({ cn: 'authtrail test root' });
    ecCa = mintCa({ keyType: 'ec', cn: 'authtrail test ec root' });
    otherCa = mintCa({ cn: 'some other CA' });
    intermediate = mintCa({ issuer: rsaCa, cn: 'authtrail test intermediate' });
    cas.push(rsaCa, ecCa, otherCa, intermediate);
    Object.assign(certs, {
      rsa: mintClientCert(rsaCa, { cn: 'alice', orgs: ['dev', 'ops'] }),
      ec: mintClientCert(ecCa, { cn: 'bob', orgs: ['system:nodes'], keyType: 'ec' }),
      ecUnderRsa: mintClientCert(rsaCa, { cn: 'carol', keyType: 'ec' }),
      expired: mintClientCert(rsaCa, { cn: 'old', notBefore: new Date(Date.now() - 10 * DAY), days: 1 }),
      notYetValid: mintClientCert(rsaCa, { cn: 'early', notBefore: new Date(Date.now() + DAY), days: 30 }),
      otherCa: mintClientCert(otherCa, { cn: 'mallory' }),
      serverAuth: mintClientCert(rsaCa, { cn: 'server', eku: 'serverAuth' }),
      noEku: mintClientCert(rsaCa, { cn: 'noeku', eku: 'none' }),
      revoked: mintClientCert(rsaCa, { cn: 'revoked' }),
      viaIntermediate: mintClientCert(intermediate, { cn: 'dave', orgs: ['team'] }),
      ecExpired: mintClientCert(ecCa, { cn: 'old-ec', keyType: 'ec', notBefore: new Date(Date.now() - 10 * DAY), days: 1 }),
      ecRevoked: mintClientCert(ecCa, { cn: 'revoked-ec', keyType: 'ec' }),
      noCn: mintClientCert(rsaCa, { cn: '', orgs: ['dev'] }),
    });
    const crl = mintCrl(rsaCa, [certs['revoked']]) + mintCrl(ecCa, [certs['ecRevoked']]);
    strategy = await createX509Strategy({
      id: 'x509',
      clientCAFile: files.file(rsaCa.certPem + ecCa.certPem, 'ca.pem'),
      crlFile: files.file(crl, 'crl.pem'),
    });
    strategies.push(strategy);
  });
  afterAll(async () => {
    await Promise.all(strategies.map((s) => s.close?.()));
    cas.forEach(destroyCa);
    files.remove();
  });

  const present = (...chain: X509Certificate[]) => strategy.authenticate(requestView({ peerCertificates: chain }));

  it.each<[string, () => X509Certificate[], Partial<Record<string, unknown>>]>([
    ['an RSA client certificate authenticates: CN is the user, O the groups', () => [certs['rsa'].cert], { kind: 'authenticated', user: { username: 'alice', groups: ['dev', 'ops'] } }],
    ['an ECDSA client certificate from an ECDSA CA authenticates', () => [certs['ec'].cert], { kind: 'authenticated', user: { username: 'bob', groups: ['system:nodes'] } }],
    ['an ECDSA client certificate from an RSA CA authenticates', () => [certs['ecUnderRsa'].cert], { kind: 'authenticated', user: { username: 'carol', groups: [] } }],
    ['a certificate via a presented intermediate CA authenticates', () => [certs['viaIntermediate'].cert, intermediate.cert], { kind: 'authenticated', user: { username: 'dave', groups: ['team'] } }],
    ['a certificate whose intermediate is not presented is untrusted', () => [certs['viaIntermediate'].cert], { kind: 'rejected', reason: 'cert_untrusted' }],
    ['an expired certificate is rejected with cert_expired', () => [certs['expired'].cert], { kind: 'rejected', reason: 'cert_expired', claimedUsername: 'old' }],
    ['an expired ECDSA certificate is rejected with cert_expired', () => [certs['ecExpired'].cert], { kind: 'rejected', reason: 'cert_expired' }],
    ['a not-yet-valid certificate is rejected with cert_expired (Go reports both alike)', () => [certs['notYetValid'].cert], { kind: 'rejected', reason: 'cert_expired' }],
    ['a certificate from another CA is rejected with cert_untrusted', () => [certs['otherCa'].cert], { kind: 'rejected', reason: 'cert_untrusted', claimedUsername: 'mallory' }],
    ['another CA presented as intermediate does not make it trusted', () => [certs['otherCa'].cert, otherCa.cert], { kind: 'rejected', reason: 'cert_untrusted' }],
    ['a certificate with only the serverAuth EKU is rejected with cert_not_client_auth', () => [certs['serverAuth'].cert], { kind: 'rejected', reason: 'cert_not_client_auth' }],
    ['a certificate without an EKU extension is rejected with cert_not_client_auth', () => [certs['noEku'].cert], { kind: 'rejected', reason: 'cert_not_client_auth' }],
    ['a certificate revoked by the CRL is rejected with cert_revoked', () => [certs['revoked'].cert], { kind: 'rejected', reason: 'cert_revoked' }],
    ['an ECDSA certificate revoked by an ECDSA-signed CRL is rejected with cert_revoked', () => [certs['ecRevoked'].cert], { kind: 'rejected', reason: 'cert_revoked' }],
    ['a certificate whose signed content was altered is untrusted (signature, not metadata)', () => [tamper(certs['rsa'].cert)], { kind: 'rejected', reason: 'cert_untrusted' }],
    ['a CA certificate presented as a client certificate is not a client certificate', () => [rsaCa.cert], { kind: 'rejected', reason: 'cert_not_client_auth' }],
    ['a valid certificate without a CN is rejected as malformed, never anonymous', () => [certs['noCn'].cert], { kind: 'rejected', reason: 'malformed_credentials' }],
    ['a chain longer than ten certificates is refused before any signature work', () => [certs['rsa'].cert, ...Array.from({ length: 10 }, () => rsaCa.cert)], { kind: 'rejected', reason: 'malformed_credentials', message: 'more than 10 certificates presented' }],
    ['no client certificate: abstain', () => [], { kind: 'abstained' }],
  ])('%s', async (_name, chain, expected) => {
    expect(await present(...chain())).toMatchObject(expected);
  });

  it('adds the credential-id extra and describes the certificate for the event', async () => {
    const leaf = certs['rsa'].cert;
    const sha256 = createHash('sha256').update(leaf.raw).digest('hex');
    const outcome = await present(leaf);
    expect(outcome).toMatchObject({
      kind: 'authenticated',
      user: { extra: { 'authentication.kubernetes.io/credential-id': [`X509SHA256=${sha256}`] } },
      credential: { type: 'x509', publicId: leaf.serialNumber, x509: { serial: leaf.serialNumber, sha256, subject: 'O=dev, O=ops, CN=alice' } },
    });
  });

  it('applies a new CRL when the file changes, without a restart', async () => {
    const victim = mintClientCert(rsaCa, { cn: 'soon-revoked' });
    const crlPath = files.file(mintCrl(rsaCa, []), 'reload-crl.pem');
    const reloading = await createX509Strategy({ id: 'x509', clientCAFile: files.file(rsaCa.certPem), crlFile: crlPath, reloadIntervalMs: 100 });
    strategies.push(reloading);
    const ask = () => reloading.authenticate(requestView({ peerCertificates: [victim.cert] }));
    expect((await ask()).kind).toBe('authenticated');
    writeFileSync(crlPath, mintCrl(rsaCa, [victim]));
    expect(await eventually(async () => {
      const o = await ask();
      return o.kind === 'rejected' && o.reason === 'cert_revoked';
    })).toBe(true);
  });

  it.each([
    ['a CRL signed by a CA outside the bundle', () => mintCrl(otherCa, []), 'CRL 1: CRL signature is not verified by any CA of the bundle'],
    ['a garbage CRL file', () => 'not a crl', 'no PEM CRL'],
    ['a CRL with garbage inside the PEM armour', () => '-----BEGIN X509 CRL-----\nAAAAAAAA\n-----END X509 CRL-----\n', 'CRL 1: not a DER CRL'],
    ['a truncated CRL', () => { const pem = mintCrl(rsaCa, []); return pem.slice(0, 60) + pem.slice(-26); }, 'CRL 1:'],
  ])('refuses to start with %s', async (_name, crl, message) => {
    const error = await createX509Strategy({ id: 'x509', clientCAFile: files.file(rsaCa.certPem), crlFile: files.file(crl()) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileLoadError);
    expect(String(error)).toContain(message);
  });

  it.each([
    ['garbage', 'no PEM certificate found'],
    ['-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n', 'certificate 1 is not base64'],
  ])('refuses to start with a CA bundle of %j', async (bundle, message) => {
    await expect(createX509Strategy({ id: 'x509', clientCAFile: files.file(bundle) })).rejects.toThrow(message);
  });
});

/** Changes one byte of the CN inside the signed part: names and key ids still match, the signature does not. */
function tamper(cert: X509Certificate): X509Certificate {
  const der = Buffer.from(cert.raw);
  const at = der.indexOf(Buffer.from('alice'));
  der[at] = 'm'.charCodeAt(0);
  return new X509Certificate(der);
}
