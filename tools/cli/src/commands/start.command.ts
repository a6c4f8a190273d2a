import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '@authtrail/config';
import { validateStrategyConfig } from '@authtrail/strategies';
import { startAllInOne } from '../all-in-one/start-all';
import { tourText } from '../all-in-one/tour';
import { UsageError, type Command } from '../cli-io';
import { unreadableFiles } from './config/referenced-files';
import { untilReady } from './until-ready';
import { DEMO_AUDIENCE, ensureDemoEnvironment, SERVICE_ACCOUNT_ISSUER } from '../demo/demo-environment';
import { startDemoOidcIssuer } from '../demo/demo-oidc-issuer';
import { parseOptions } from '../parse-options';
import { mintServiceAccountToken } from '../pki/service-account-token';

const USAGE = `authtrail start [--config FILE] [--data-dir DIR]

Runs authn, projector, graphql-api and siem-exporter in one process. Without --config (or
AUTHTRAIL_CONFIG) it runs the demo: every strategy with generated credentials under
DIR/demo (default ./.authtrail), embedded PostgreSQL and the in-process bus, and prints the URLs,
the admin token and ready-to-paste curl commands. State is kept under DIR across restarts.`;

function loadOrExit(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string) {
  let config;
  try {
    config = loadConfig({ argv, env, cwd, validateStrategy: validateStrategyConfig });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  // A missing certificate or token file stops the start before anything runs, named by its key
  // (exit 1: the file is an operations problem, not a usage one).
  const unreadable = unreadableFiles(config);
  if (unreadable.length > 0) throw new Error(unreadable.join('; '));
  return config;
}

export const startCommand: Command = {
  name: 'start',
  summary: 'run every service in one process (demo mode without --config)',
  usage: USAGE,
  async run(args, io) {
    const o = parseOptions(args, { config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' } });
    const progress = (line: string) => io.stderr(`authtrail: ${line}\n`);
    const explicit = o.config ?? io.env['AUTHTRAIL_CONFIG'];

    if (explicit) {
      if (!existsSync(path.resolve(io.cwd, explicit))) throw new UsageError(`--config: ${explicit} does not exist`);
      const config = loadOrExit(['--config', explicit], io.env, io.cwd);
      const running = await startAllInOne(config, progress);
      await untilReady([running.authn.http.url, running.graphql.url], progress);
      io.stdout(`authtrail is running: authn ${running.authn.http.url}, GraphQL ${running.graphql.url}/graphql\n`);
      await waitForSignal(running.stop, progress);
      return;
    }

    const dataDir = path.resolve(io.cwd, o['data-dir'] ?? io.env['AUTHTRAIL_DATA_DIR'] ?? '.authtrail');
    progress(`demo mode: credentials and state under ${dataDir}`);
    const demo = await ensureDemoEnvironment(path.join(dataDir, 'demo'), { dataDir });
    const issuer = await startDemoOidcIssuer(demo.oidcKey, demo.ports.oidc);
    try {
      const config = loadOrExit(['--config', demo.configFile], { ...io.env, AUTHTRAIL_DATA_DIR: dataDir }, io.cwd);
      const running = await startAllInOne(config, progress);
      await untilReady([running.authn.http.url, running.graphql.url], progress);
      const [serviceAccountToken, oidcToken] = await Promise.all([
        mintServiceAccountToken({
          privateKey: demo.serviceAccountKey,
          issuer: SERVICE_ACCOUNT_ISSUER,
          audiences: [DEMO_AUDIENCE],
          namespace: 'demo',
          name: 'builder',
          uid: '5b3d1e6a-0000-4000-8000-000000000001',
          ttlMs: 24 * 3_600_000,
          now: new Date(),
        }),
        issuer.mintIdToken({ email: 'dave@example.com', groups: ['sre'], audience: DEMO_AUDIENCE, ttlSeconds: 3600 }),
      ]);
      io.stdout(tourText({ demo, authn: running.authn, graphqlUrl: running.graphql.url, serviceAccountToken, oidcToken }));
      await waitForSignal(async () => {
        await running.stop();
        await issuer.close();
      }, progress);
    } catch (error) {
      await issuer.close();
      throw error;
    }
  },
};

/** Resolves after SIGINT/SIGTERM once everything stopped; events are flushed by authn's close. */
function waitForSignal(stop: () => Promise<void>, progress: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      // A Ctrl-C reaches the whole process group and bin/authtrail.js passes it on too: the
      // second copy must not cut the graceful stop short (Node's default would kill at once).
      if (stopping) return;
      stopping = true;
      progress(`${signal}: stopping (flushing events)`);
      void stop().finally(resolve);
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  });
}
