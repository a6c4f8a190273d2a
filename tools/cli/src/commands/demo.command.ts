import path from 'node:path';
import { UsageError, type Command } from '../cli-io';
import { ensureDemoEnvironment } from '../demo/demo-environment';
import { parseOptions } from '../parse-options';

const USAGE = `authtrail demo init [--dir DIR] [--hostname NAME]...

Writes demo credentials for every strategy into DIR (default ./.authtrail/demo): a CA with a
client certificate (carol, O=dev) and an HTTPS server certificate (localhost + --hostname),
static tokens (admin, alice), a bootstrap token, a basic-auth user (bob, argon2id), a
service-account signing key, an OIDC issuer key, a policy and a config. Existing files are kept,
so the printed credentials stay valid. npm start does this by itself.`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'write demo credentials and config for every strategy',
  usage: USAGE,
  async run([sub, ...args], io) {
    if (sub !== 'init') throw new UsageError(`demo: expected "init"\n${USAGE}`);
    const o = parseOptions(args, { dir: { type: 'string' }, hostname: { type: 'string', multiple: true } });
    const dir = path.resolve(io.cwd, o.dir ?? '.authtrail/demo');
    const demo = await ensureDemoEnvironment(dir, { dataDir: path.dirname(dir), hostnames: o.hostname ?? [] });
    io.stdout(`demo credentials in ${demo.dir} (config ${demo.configFile}; tokens in demo-secrets.json, mode 0600)\n`);
  },
};
