// Runs a checkout's services/authn main.ts in this process, as `npx tsx services/authn/src/main.ts`
// would, with V8's CPU profiler (node:inspector) under the control of the parent over IPC: the
// profile covers exactly the load window, not start-up, transpiling or warm-up.
//   node --import tsx bench/profile/profiled-authn.ts <checkout>/services/authn/src/main.ts --config <file>
// IPC: { type: 'start', intervalMicros } → { type: 'started' };
//      { type: 'stop', file } → the profile, source-mapped to the TypeScript lines, written to file → { type: 'stopped' }.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { findSourceMap } from 'node:module';
import { pathToFileURL } from 'node:url';
import { mapFileBeside } from './bundle-map';
import type { CpuProfile } from './cpu-profile';
import { sourceMapped } from './source-mapped';

export type ProfilerCommand = { readonly type: 'start'; readonly intervalMicros: number } | { readonly type: 'stop'; readonly file: string };
export type ProfilerReply = { readonly type: 'started' } | { readonly type: 'stopped' } | { readonly type: 'failed'; readonly message: string };

const [entry, ...args] = process.argv.slice(2);
if (!entry || !process.send) {
  process.stderr.write('usage (from bench/profile/main.ts, with an IPC channel): profiled-authn.ts <services/authn/src/main.ts> [authn arguments]\n');
  process.exit(2);
}
const reply = (message: ProfilerReply) => process.send?.(message);
// main.ts reads its arguments from process.argv.slice(2).
process.argv = [process.execPath, entry, ...args];

const session = new Session();
session.connect();
process.on('message', (command: ProfilerCommand) => {
  const handled = command.type === 'start' ? start(command.intervalMicros) : stop(command.file);
  handled.then(reply, (error: unknown) => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});

async function start(intervalMicros: number): Promise<ProfilerReply> {
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
  await session.post('Profiler.start');
  return { type: 'started' };
}

async function stop(file: string): Promise<ProfilerReply> {
  const { profile } = await session.post('Profiler.stop');
  await session.post('Profiler.disable');
  // tsx registers a source map per transpiled file; V8 names CommonJS scripts by path, ES modules by URL.
  // A bundle's map is read from the file esbuild wrote beside it (once per script: sourceMapped
  // asks once per URL), now that the load is over.
  writeFileSync(file, JSON.stringify(sourceMapped(profile as CpuProfile, (url) => findSourceMap(url) ?? (url.startsWith('/') ? findSourceMap(pathToFileURL(url).href) : undefined) ?? mapFileBeside(url))));
  return { type: 'stopped' };
}

import(pathToFileURL(entry).href).catch((error: unknown) => {
  process.stderr.write(`profiled authn failed to load ${entry}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
