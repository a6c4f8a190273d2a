import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError, type Command } from '../cli-io';
import { durationOption, parseOptions, required } from '../parse-options';
import { mintServiceAccountToken } from '../pki/service-account-token';

const USAGE = `authtrail sa-token mint --key FILE --namespace NS --name SA [--uid UID] [--issuer URL]
                         [--audience AUD]... [--ttl 1h] [--pod-name NAME --pod-uid UID]

Signs a bound service-account token (as TokenRequest issues them) with the private key in FILE
(RSA → RS256, EC P-256 → ES256) and prints it.`;

export const saTokenCommand: Command = {
  name: 'sa-token',
  summary: 'mint a service-account JWT for tests and demos',
  usage: USAGE,
  async run([sub, ...args], io) {
    if (sub !== 'mint') throw new UsageError(`sa-token: expected "mint"\n${USAGE}`);
    const o = parseOptions(args, {
      key: { type: 'string' },
      namespace: { type: 'string' },
      name: { type: 'string' },
      uid: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string', multiple: true },
      ttl: { type: 'string' },
      'pod-name': { type: 'string' },
      'pod-uid': { type: 'string' },
    });
    const keyFile = path.resolve(io.cwd, required(o.key, 'key'));
    let privateKey;
    try {
      privateKey = createPrivateKey(readFileSync(keyFile));
    } catch {
      // Never echo the file's content: it is a private key.
      throw new UsageError(`--key: ${keyFile} is not a readable PEM private key`);
    }
    const pod = o['pod-name'] ? { name: o['pod-name'], uid: o['pod-uid'] ?? randomUUID() } : undefined;
    let token: string;
    try {
      token = await mintServiceAccountToken({
        privateKey,
        issuer: o.issuer ?? 'https://kubernetes.default.svc.cluster.local',
        audiences: o.audience ?? ['https://kubernetes.default.svc.cluster.local'],
        namespace: required(o.namespace, 'namespace'),
        name: required(o.name, 'name'),
        uid: o.uid ?? randomUUID(),
        ttlMs: durationOption(o.ttl, 'ttl', '1h'),
        pod,
        now: new Date(),
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--key: ${(error as Error).message}`);
    }
    io.stdout(`${token}\n`);
  },
};
