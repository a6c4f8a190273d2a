#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader from anywhere: relative paths the user passes
// (config files, output folders) stay relative to the directory the command was started in.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const loader = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/loader.mjs')).href;
const main = path.join(__dirname, '..', 'src', 'main.ts');
const run = spawnSync(process.execPath, ['--import', loader, main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
