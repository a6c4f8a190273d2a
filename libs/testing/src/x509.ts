// Test PKI: certificate authorities, client certificates and CRLs, minted per test run (no
// pasted keys). RSA certificates are built with node-forge; anything involving an ECDSA key goes
// through the `openssl` CLI (node-forge has no EC support), as do CRLs (`openssl ca -gencrl`).
// Every CA gets its own `openssl ca` directory under the OS temp folder.
import { execFileSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export type TestKeyType = 'rsa' | 'ec';

export interface TestCa {
  readonly cert: X509Certificate;
  readonly certPem: string;
  readonly keyPem: string;
  readonly keyType: TestKeyType;
  /** The `openssl ca` directory of this CA (openssl.cnf, ca.crt, ca.key, index.txt, ...). */
  readonly dir: string;
}

export interface TestCert {
  readonly cert: X509Certificate;
  readonly certPem: string;
  readonly keyPem: string;
  /** Upper-case hex, as `X509Certificate.serialNumber`. */
  readonly serial: string;
}

export interface MintCaOptions {
  readonly cn?: string;
  readonly keyType?: TestKeyType;
  /** Sign with this CA instead of self-signing (an intermediate CA). */
  readonly issuer?: TestCa;
  readonly days?: number;
}

export interface MintCertOptions {
  /** Common name (default `test-user`); `''` leaves CN out (RSA certificates from an RSA CA only). */
  readonly cn?: string;
  readonly orgs?: readonly string[];
  /** Validity length from notBefore (default 30). */
  readonly days?: number;
  /** Start of validity (default: one minute ago). */
  readonly notBefore?: Date;
  /** Extended key usage (default clientAuth); `none` leaves the extension out. */
  readonly eku?: 'clientAuth' | 'serverAuth' | 'none';
  readonly keyType?: TestKeyType;
}

const DAY_MS = 86_400_000;

export function mintCa(options: MintCaOptions = {}): TestCa {
  const keyType = options.keyType ?? 'rsa';
  const cn = options.cn ?? `authtrail test CA ${randomBytes(3).toString('hex')}`;
  const days = options.days ?? 365;
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-pki-'));
  let certPem: string;
  let keyPem: string;
  if (options.issuer) {
    const issued = issue(options.issuer, { cn, days, eku: 'none', keyType }, 'ca');
    certPem = issued.certPem;
    keyPem = issued.keyPem;
  } else if (keyType === 'rsa') {
    keyPem = rsaKeyPem();
    const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = serialHex();
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
    cert.setSubject([{ name: 'commonName', value: cn }]);
    cert.setIssuer([{ name: 'commonName', value: cn }]);
    cert.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    cert.sign(key, forge.md.sha256.create());
    certPem = forge.pki.certificateToPem(cert);
  } else {
    openssl(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'),
      '-subj', `/CN=${cn}`, '-days', String(days), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash']);
    certPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
    keyPem = readFileSync(join(dir, 'ca.key'), 'utf8');
  }
  writeFileSync(join(dir, 'ca.crt'), certPem);
  writeFileSync(join(dir, 'ca.key'), keyPem, { mode: 0o600 });
  initOpensslCa(dir);
  return { cert: new X509Certificate(certPem), certPem, keyPem, keyType, dir };
}

/** A client (or, with eku serverAuth, server) certificate signed by `ca`. */
export function mintClientCert(ca: TestCa, options: MintCertOptions = {}): TestCert {
  return issue(ca, options, 'leaf');
}

/** A PEM CRL signed by `ca` listing `revoked` (certificates need not have been issued by openssl). */
export function mintCrl(ca: TestCa, revoked: readonly { readonly certPem: string }[], options: { readonly days?: number } = {}): string {
  revoked.forEach((r, i) => {
    const file = join(ca.dir, `revoke-${Date.now()}-${i}.pem`);
    writeFileSync(file, r.certPem);
    openssl(['ca', '-batch', '-config', join(ca.dir, 'openssl.cnf'), '-revoke', file]);
  });
  const out = join(ca.dir, `crl-${Date.now()}.pem`);
  openssl(['ca', '-batch', '-config', join(ca.dir, 'openssl.cnf'), '-gencrl', '-crldays', String(options.days ?? 30), '-out', out]);
  return readFileSync(out, 'utf8');
}

/** Removes the CA's temp directory. */
export function destroyCa(ca: TestCa): void {
  rmSync(ca.dir, { recursive: true, force: true });
}

function issue(ca: TestCa, options: MintCertOptions, kind: 'leaf' | 'ca'): TestCert {
  const keyType = options.keyType ?? 'rsa';
  const cn = options.cn ?? 'test-user';
  const orgs = options.orgs ?? [];
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (options.days ?? 30) * DAY_MS);
  const eku = options.eku ?? 'clientAuth';

  // Leaf keys are shared within a process (RSA key generation costs a second on a busy machine);
  // CA keys are always fresh, so "another CA" really is another key.
  const leafKey = kind === 'leaf' ? sharedLeafKey(keyType) : undefined;
  if (keyType === 'rsa' && ca.keyType === 'rsa') {
    const keyPem = leafKey ?? rsaKeyPem();
    const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
    const caCert = forge.pki.certificateFromPem(ca.certPem);
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = serialHex();
    cert.validity.notBefore = notBefore;
    cert.validity.notAfter = notAfter;
    const cnAttribute = cn === '' ? [] : [{ name: 'commonName', value: cn, valueTagClass: forge.asn1.Type.UTF8 as never }];
    cert.setSubject([...orgs.map((o) => ({ name: 'organizationName', value: o, valueTagClass: forge.asn1.Type.UTF8 as never })), ...cnAttribute]);
    cert.setIssuer(caCert.subject.attributes);
    const extensions: object[] = kind === 'ca'
      ? [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]
      : [{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true }];
    if (eku !== 'none') extensions.push({ name: 'extKeyUsage', [eku]: true });
    extensions.push({ name: 'subjectKeyIdentifier' }, { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() });
    cert.setExtensions(extensions);
    cert.sign(forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
    const certPem = forge.pki.certificateToPem(cert);
    const x509 = new X509Certificate(certPem);
    return { cert: x509, certPem, keyPem, serial: x509.serialNumber };
  }

  // openssl path: key, CSR, then `openssl ca` (which can set an arbitrary start date).
  const work = mkdtempSync(join(ca.dir, 'issue-'));
  const keyFile = join(work, 'key.pem');
  if (leafKey) writeFileSync(keyFile, leafKey);
  else if (keyType === 'rsa') writeFileSync(keyFile, rsaKeyPem());
  else openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
  const subject = [...orgs.map((o) => `/O=${escapeSubject(o)}`), `/CN=${escapeSubject(cn)}`].join('');
  openssl(['req', '-new', '-key', keyFile, '-subj', subject, '-utf8', '-out', join(work, 'req.csr')]);
  const ext = kind === 'ca'
    ? ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']
    : ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment'];
  if (eku !== 'none') ext.push(`extendedKeyUsage=${eku}`);
  ext.push('subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid');
  writeFileSync(join(work, 'ext.cnf'), `[ext]\n${ext.join('\n')}\n`);
  writeFileSync(join(ca.dir, 'serial'), `${serialHex()}\n`);
  openssl(['ca', '-batch', '-config', join(ca.dir, 'openssl.cnf'), '-in', join(work, 'req.csr'), '-out', join(work, 'cert.pem'), '-notext', '-preserveDN', '-utf8',
    '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter), '-extfile', join(work, 'ext.cnf'), '-extensions', 'ext']);
  const certPem = readFileSync(join(work, 'cert.pem'), 'utf8');
  const x509 = new X509Certificate(certPem);
  return { cert: x509, certPem, keyPem: readFileSync(keyFile, 'utf8'), serial: x509.serialNumber };
}

function initOpensslCa(dir: string): void {
  mkdirSync(join(dir, 'newcerts'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  writeFileSync(join(dir, 'serial'), `${serialHex()}\n`);
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(
    join(dir, 'openssl.cnf'),
    [
      '[ca]', 'default_ca = test_ca', '[test_ca]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir/newcerts',
      'certificate = $dir/ca.crt', 'private_key = $dir/ca.key', 'serial = $dir/serial', 'crlnumber = $dir/crlnumber',
      'default_md = sha256', 'default_days = 30', 'default_crl_days = 30', 'policy = policy_any', 'unique_subject = no', 'copy_extensions = none',
      '[policy_any]', 'organizationName = optional', 'commonName = supplied', '',
    ].join('\n'),
  );
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

const leafKeys = new Map<TestKeyType, string>();
function sharedLeafKey(keyType: TestKeyType): string {
  let pem = leafKeys.get(keyType);
  if (!pem) {
    pem = keyType === 'rsa'
      ? rsaKeyPem()
      : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    leafKeys.set(keyType, pem);
  }
  return pem;
}

function rsaKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** Positive, 16 bytes, no leading zero byte. */
function serialHex(): string {
  return `4${randomBytes(16).toString('hex').slice(1)}`;
}

function asn1Time(date: Date): string {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.000Z
  return `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

function escapeSubject(value: string): string {
  return value.replace(/[/\\+=]/g, (c) => `\\${c}`);
}
