import path from 'node:path';
import { ConfigError, loadConfig, type AuthtrailConfig } from '@authtrail/config';
import { validateStrategyConfig } from '@authtrail/strategies';
import { UsageError, type CliIo } from './cli-io';

/**
 * The config a command works on: --config, else AUTHTRAIL_CONFIG, else the demo config that
 * `npm start` wrote under the data directory. Invalid files are usage errors naming the key.
 */
export function commandConfig(configOption: string | undefined, io: CliIo): AuthtrailConfig {
  const dataDir = path.resolve(io.cwd, io.env['AUTHTRAIL_DATA_DIR'] ?? '.authtrail');
  const file = configOption ?? io.env['AUTHTRAIL_CONFIG'] ?? path.join(dataDir, 'demo', 'authtrail.yaml');
  try {
    return loadConfig({ argv: ['--config', path.resolve(io.cwd, file)], env: io.env, cwd: io.cwd, validateStrategy: validateStrategyConfig });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
