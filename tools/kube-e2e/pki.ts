// Keys and certificates for the loopback cluster, made with Debian's `openssl` as an operator would:
// throw-away CAs valid for two days, private keys mode 0600 in the run's folder. No key is printed.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

const DAYS = '2';

function openssl(args: readonly string[]): void {
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  // openssl's stderr names files and options, never key material.
  if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.error?.message ?? run.stderr.trim()}`);
}

function subject(commonName: string, organizations: readonly string[]): string {
  return `/CN=${commonName}${organizations.map((o) => `/O=${o}`).join('')}`;
}

export function createCa(dir: string, name: string, commonName: string): CertificateFiles {
  const files = { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', DAYS, '-subj', subject(commonName, []), '-keyout', files.keyFile, '-out', files.certFile, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  chmodSync(files.keyFile, 0o600);
  return files;
}

export interface LeafRequest {
  readonly commonName: string;
  readonly organizations?: readonly string[];
  /** serverAuth with these subject alternative names (`DNS:…`, `IP:…`), else a clientAuth certificate. */
  readonly serverNames?: readonly string[];
}

export function issue(ca: CertificateFiles, dir: string, name: string, request: LeafRequest): CertificateFiles {
  const files = { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  const extFile = path.join(dir, `${name}.ext`);
  const usage = request.serverNames ? ['extendedKeyUsage=serverAuth', `subjectAltName=${request.serverNames.join(',')}`] : ['extendedKeyUsage=clientAuth'];
  writeFileSync(extFile, ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', ...usage, 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid', ''].join('\n'));
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', subject(request.commonName, request.organizations ?? []), '-keyout', files.keyFile, '-out', csr]);
  chmodSync(files.keyFile, 0o600);
  // A random positive serial: no CA database needed.
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', `0x${randomBytes(15).toString('hex')}`, '-sha256', '-days', DAYS, '-extfile', extFile, '-out', files.certFile]);
  rmSync(csr);
  rmSync(extFile);
  return files;
}

export interface KeyPairFiles {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
}

/** An RSA 2048 (kube-apiserver's service-account keys) or EC P-256 key pair as PEM. */
export function keyPair(dir: string, name: string, type: 'rsa' | 'ec-p256'): KeyPairFiles {
  const files = { privateKeyFile: path.join(dir, `${name}.key`), publicKeyFile: path.join(dir, `${name}.pub`) };
  const algorithm = type === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl(['genpkey', ...algorithm, '-out', files.privateKeyFile]);
  chmodSync(files.privateKeyFile, 0o600);
  openssl(['pkey', '-in', files.privateKeyFile, '-pubout', '-out', files.publicKeyFile]);
  return files;
}
