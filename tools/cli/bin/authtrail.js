#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader from anywhere: relative paths the user passes
// (config files, output folders) stay relative to the directory the command was started in.
// Signals sent to this process are passed on (a `kill <pid>` of the CLI stops `authtrail start`
// gracefully); the exit code is the command's, or 128 + the signal's number if it was killed.
'use strict';
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const loader = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href;
const main = path.join(__dirname, '..', 'src', 'main.ts');
const child = spawn(process.execPath, ['--import', loader, main, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('error', (error) => {
  process.stderr.write(`authtrail: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
