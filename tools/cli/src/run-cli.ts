import { UsageError, type CliIo } from './cli-io';
import { COMMANDS } from './commands';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'authtrail — authentication audit and policy service',
    '',
    'usage: authtrail <command> [options]   (authtrail <command> --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failed, 2 bad usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`authtrail: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.summary}\n\n${command.usage}\n`);
    return 0;
  }
  try {
    await command.run(args, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`authtrail ${name}: ${error.message}\n`);
      return 2;
    }
    // Some libraries reject with a string or nothing at all: say so rather than print "undefined".
    io.stderr(`authtrail ${name}: ${error instanceof Error ? error.message : `failed (${String(error)})`}\n`);
    return 1;
  }
}
