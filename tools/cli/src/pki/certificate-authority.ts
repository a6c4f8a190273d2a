// A small CA for demo and lab clusters: RSA keys made by Node's crypto (fast, native), certificates
// signed by node-forge (Node has no certificate builder). Production clusters bring their own CA.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface PemPair {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface CertificateRequest {
  readonly commonName: string;
  readonly organizations?: readonly string[];
  readonly days: number;
  readonly now: Date;
}

const DAY_MS = 86_400_000;

function newRsaKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { pem, forgeKey: forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey };
}

function baseCertificate(publicKey: forge.pki.PublicKey, request: CertificateRequest): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  // 16 random bytes with the top bit cleared: a positive serial, unique without a CA database.
  const serial = randomBytes(16);
  serial[0] = serial[0] & 0x7f;
  certificate.serialNumber = serial.toString('hex');
  certificate.validity.notBefore = new Date(request.now.getTime() - 60_000);
  certificate.validity.notAfter = new Date(request.now.getTime() + request.days * DAY_MS);
  certificate.setSubject([
    { shortName: 'CN', value: request.commonName },
    ...(request.organizations ?? []).map((o) => ({ shortName: 'O', value: o })),
  ]);
  return certificate;
}

export function createCertificateAuthority(request: CertificateRequest): PemPair {
  const key = newRsaKey();
  const publicKey = forge.pki.setRsaPublicKey(key.forgeKey.n, key.forgeKey.e);
  const certificate = baseCertificate(publicKey, request);
  certificate.setIssuer(certificate.subject.attributes);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  certificate.sign(key.forgeKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), privateKeyPem: key.pem };
}

function issueLeaf(ca: PemPair, request: CertificateRequest, extensions: object[]): PemPair {
  const caCertificate = forge.pki.certificateFromPem(ca.certificatePem);
  const caKey = forge.pki.privateKeyFromPem(ca.privateKeyPem);
  const key = newRsaKey();
  const certificate = baseCertificate(forge.pki.setRsaPublicKey(key.forgeKey.n, key.forgeKey.e), request);
  certificate.setIssuer(caCertificate.subject.attributes);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCertificate.generateSubjectKeyIdentifier().getBytes() },
    ...extensions,
  ]);
  certificate.sign(caKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), privateKeyPem: key.pem };
}

/** A client certificate as Kubernetes reads it: CN is the username, each O a group. */
export function issueClientCertificate(ca: PemPair, request: CertificateRequest): PemPair {
  return issueLeaf(ca, request, [{ name: 'extKeyUsage', clientAuth: true }]);
}

/** A TLS server certificate for the HTTPS listener, valid for the given DNS names and IPs. */
export function issueServerCertificate(ca: PemPair, request: CertificateRequest & { readonly dnsNames: readonly string[]; readonly ips: readonly string[] }): PemPair {
  const altNames = [...request.dnsNames.map((value) => ({ type: 2, value })), ...request.ips.map((ip) => ({ type: 7, ip }))];
  return issueLeaf(ca, request, [{ name: 'extKeyUsage', serverAuth: true }, { name: 'subjectAltName', altNames }]);
}
