import { parseSiemConfig } from '@authtrail/siem-exporter';
import { UsageError, type Command } from '../cli-io';
import { commandConfig } from '../config-loading';
import { parseOptions, required } from '../parse-options';
import { contentProblems } from './config/content-checks';
import { unreadableFiles } from './config/referenced-files';

const USAGE = `authtrail config validate --config FILE

Checks the file as the services do at boot — every key, the strategy sections, every file it
names (certificates, keys, token and password CSVs, CA bundles, the policy, the siem section's
files: opened, and parsed as the service would parse them) and the siem section — and prints
every problem with its key path. Exit 0 when valid, 2 when not.`;

export const configCommand: Command = {
  name: 'config',
  summary: 'validate a config file and every file it names',
  usage: USAGE,
  async run([sub, ...args], io) {
    if (sub !== 'validate') throw new UsageError(`config: expected "validate"\n${USAGE}`);
    const o = parseOptions(args, { config: { type: 'string', short: 'c' } });
    const file = required(o.config ?? io.env['AUTHTRAIL_CONFIG'], 'config');
    const config = commandConfig(file, io);
    const problems: string[] = [...unreadableFiles(config), ...(await contentProblems(config))];
    if (config.siem !== undefined) {
      const siem = parseSiemConfig(config.siem);
      if (!siem.ok) problems.push(...siem.errors);
    }
    if (problems.length > 0) throw new UsageError(`invalid configuration:\n  ${problems.join('\n  ')}`);
    io.stdout(`${config.configFile ?? file}: valid (${config.authn.strategies.map((s) => s.id).join(', ') || 'no strategies'})\n`);
  },
};
