// Plays a test run still in progress for leftover-reaping.int.spec.ts: starts a long sleep,
// records it in the process registry as its own, prints the sleeper's PID and stays alive.
import { spawn } from 'node:child_process';
import registry from '../harness/process-registry.js';

const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
registry.registerProcess({ kind: 'sleeper', label: 'sleeper of a run in progress', pid: sleeper.pid });
process.stdout.write(`${JSON.stringify({ sleeperPid: sleeper.pid })}\n`);
setInterval(() => undefined, 60_000);
