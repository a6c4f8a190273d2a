import { readFileSync } from 'node:fs';
import { compilePolicy } from '@authtrail/policy';
import { parseSiemConfig } from '@authtrail/siem-exporter';
import { UsageError, type Command } from '../cli-io';
import { commandConfig } from '../config-loading';
import { parseOptions, required } from '../parse-options';

const USAGE = `authtrail config validate --config FILE

Checks the file as the services do at boot — every key, the strategy sections, the policy file
it names and the siem section — and prints every problem with its key path. Exit 0 when valid.`;

export const configCommand: Command = {
  name: 'config',
  summary: 'validate a config file (and the policy it names)',
  usage: USAGE,
  async run([sub, ...args], io) {
    if (sub !== 'validate') throw new UsageError(`config: expected "validate"\n${USAGE}`);
    const o = parseOptions(args, { config: { type: 'string', short: 'c' } });
    const file = required(o.config ?? io.env['AUTHTRAIL_CONFIG'], 'config');
    const config = commandConfig(file, io);
    const problems: string[] = [];
    if (config.policy.file) {
      let document: string | undefined;
      try {
        document = readFileSync(config.policy.file, 'utf8');
      } catch {
        problems.push(`policy.file: ${config.policy.file} cannot be read`);
      }
      const compiled = document === undefined ? undefined : compilePolicy(document, 1);
      if (compiled && !compiled.ok) problems.push(...compiled.errors.map((e) => `${config.policy.file}: ${e}`));
    }
    if (config.siem !== undefined) {
      const siem = parseSiemConfig(config.siem);
      if (!siem.ok) problems.push(...siem.errors);
    }
    if (problems.length > 0) throw new UsageError(`invalid configuration:\n  ${problems.join('\n  ')}`);
    io.stdout(`${config.configFile ?? file}: valid (${config.authn.strategies.map((s) => s.id).join(', ') || 'no strategies'})\n`);
  },
};
