import { fingerprinterFor } from '@authtrail/authn';
import { UsageError, type Command } from '../cli-io';
import { commandConfig } from '../config-loading';
import { parseOptions } from '../parse-options';

const USAGE = `echo -n SECRET | authtrail fingerprint [--config FILE]

Prints the fingerprint (hmac-sha256:<keyId>:<hex>) authtrail records for a token or password you
hold, under the config's first fingerprint key: look its usage up in GraphQL
(credential(fingerprint: …)) or revoke it, without the secret ever being stored. The secret is
read from standard input, never from the command line.`;

export const fingerprintCommand: Command = {
  name: 'fingerprint',
  summary: 'fingerprint a secret you hold, as events record it',
  usage: USAGE,
  async run(args, io) {
    const o = parseOptions(args, { config: { type: 'string', short: 'c' } });
    const config = commandConfig(o.config, io);
    const secret = (await io.readStdin()).replace(/\r?\n$/, '');
    if (secret.length === 0) throw new UsageError('no secret on standard input');
    io.stdout(`${fingerprinterFor(config).fingerprint(secret)}\n`);
  },
};
