import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError, type Command } from '../cli-io';
import { parseOptions, positiveInteger, required } from '../parse-options';
import { createCertificateAuthority, issueClientCertificate, type PemPair } from '../pki/certificate-authority';

const USAGE = `authtrail ca init  [--dir DIR] [--cn NAME] [--days N]
authtrail ca issue --cn USER [--org GROUP]... [--days N] [--dir CA_DIR] [--out DIR]

init   writes DIR/ca.crt and DIR/ca.key (default DIR ./ca, 10 years)
issue  writes OUT/<cn>.crt and OUT/<cn>.key, a client certificate (EKU clientAuth) whose CN is
       the username and each O a group, as Kubernetes reads them (default 30 days)`;

function writePrivate(file: string, pem: string): void {
  writeFileSync(file, pem, { mode: 0o600 });
}

function loadCa(dir: string): PemPair {
  const certificateFile = path.join(dir, 'ca.crt');
  const keyFile = path.join(dir, 'ca.key');
  if (!existsSync(certificateFile) || !existsSync(keyFile)) {
    throw new UsageError(`no CA in ${dir} (expected ca.crt and ca.key; run "authtrail ca init --dir ${dir}")`);
  }
  return { certificatePem: readFileSync(certificateFile, 'utf8'), privateKeyPem: readFileSync(keyFile, 'utf8') };
}

export const caCommand: Command = {
  name: 'ca',
  summary: 'create a demo certificate authority and issue client certificates',
  usage: USAGE,
  async run([sub, ...args], io) {
    if (sub === 'init') {
      const o = parseOptions(args, { dir: { type: 'string' }, cn: { type: 'string' }, days: { type: 'string' } });
      const dir = path.resolve(io.cwd, o.dir ?? 'ca');
      if (existsSync(path.join(dir, 'ca.key'))) throw new UsageError(`${dir}/ca.key exists already; refusing to overwrite a CA`);
      mkdirSync(dir, { recursive: true });
      const ca = createCertificateAuthority({ commonName: o.cn ?? 'authtrail demo CA', days: positiveInteger(o.days, 'days', 3650), now: new Date() });
      writeFileSync(path.join(dir, 'ca.crt'), ca.certificatePem);
      writePrivate(path.join(dir, 'ca.key'), ca.privateKeyPem);
      io.stdout(`wrote ${path.join(dir, 'ca.crt')} and ${path.join(dir, 'ca.key')} (${new X509Certificate(ca.certificatePem).subject})\n`);
      return;
    }
    if (sub === 'issue') {
      const o = parseOptions(args, {
        cn: { type: 'string' },
        org: { type: 'string', multiple: true },
        days: { type: 'string' },
        dir: { type: 'string' },
        out: { type: 'string' },
      });
      const commonName = required(o.cn, 'cn');
      if (!/^[\w.@:-]+$/.test(commonName)) throw new UsageError(`--cn: "${commonName}" may only hold letters, digits and . _ @ : -`);
      const ca = loadCa(path.resolve(io.cwd, o.dir ?? 'ca'));
      const out = path.resolve(io.cwd, o.out ?? o.dir ?? 'ca');
      mkdirSync(out, { recursive: true });
      const issued = issueClientCertificate(ca, { commonName, organizations: o.org ?? [], days: positiveInteger(o.days, 'days', 30), now: new Date() });
      const base = path.join(out, commonName.replace(/[:@]/g, '_'));
      writeFileSync(`${base}.crt`, issued.certificatePem);
      writePrivate(`${base}.key`, issued.privateKeyPem);
      const x509 = new X509Certificate(issued.certificatePem);
      io.stdout(`wrote ${base}.crt and ${base}.key\nsubject ${x509.subject.replace(/\n/g, ', ')}\nserial  ${x509.serialNumber}\nexpires ${x509.validTo}\n`);
      return;
    }
    throw new UsageError(`ca: expected "init" or "issue"\n${USAGE}`);
  },
};
