import { UsageError, type Command } from '../cli-io';
import { durationOption, parseOptions } from '../parse-options';
import { BOOTSTRAP_GROUP_PATTERN, createBootstrapToken } from '../pki/bootstrap-token';

const USAGE = `authtrail bootstrap-token create [--ttl 24h] [--group system:bootstrappers:NAME]... [--description TEXT]

Prints the token on the first line, then the Secret manifest (kube-system) for the bootstrap
token file or kubectl apply.`;

export const bootstrapTokenCommand: Command = {
  name: 'bootstrap-token',
  summary: 'create a bootstrap token and its Secret manifest',
  usage: USAGE,
  async run([sub, ...args], io) {
    if (sub !== 'create') throw new UsageError(`bootstrap-token: expected "create"\n${USAGE}`);
    const o = parseOptions(args, { ttl: { type: 'string' }, group: { type: 'string', multiple: true }, description: { type: 'string' } });
    const extraGroups = o.group ?? [];
    const invalid = extraGroups.find((g) => !BOOTSTRAP_GROUP_PATTERN.test(g));
    if (invalid) throw new UsageError(`--group: "${invalid}" must match ${BOOTSTRAP_GROUP_PATTERN.source}`);
    const created = createBootstrapToken({ ttlMs: durationOption(o.ttl, 'ttl', '24h'), extraGroups, description: o.description, now: new Date() });
    io.stdout(`${created.token}\n---\n${created.secretYaml}`);
  },
};
