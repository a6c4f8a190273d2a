// A real rsyslogd (Debian's /usr/sbin/rsyslogd) as a child process with its own config in a temp
// dir: imtcp on a loopback port, omfile writing each raw message as one line. No system config.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface RunningRsyslog {
  readonly outFile: string;
  /** SIGTERM and wait for the process to exit. */
  stop(): Promise<void>;
  lines(): string[];
}

export async function startRsyslog(dir: string, port: number): Promise<RunningRsyslog> {
  const outFile = join(dir, 'received.log');
  const config = [
    `global(workDirectory="${dir}")`,
    'module(load="imtcp")',
    `input(type="imtcp" port="${port}" address="127.0.0.1")`,
    'template(name="raw" type="string" string="%rawmsg%\\n")',
    `action(type="omfile" file="${outFile}" template="raw")`,
    '',
  ].join('\n');
  return startRsyslogWithConfig(dir, port, config, outFile);
}

/** rsyslogd with a given config text (which must listen on `port` and write `outFile`). */
export async function startRsyslogWithConfig(dir: string, port: number, config: string, outFile: string): Promise<RunningRsyslog> {
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(conf, config);
  const child: ChildProcess = spawn('/usr/sbin/rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 15_000, () => `rsyslogd did not listen on ${port}: ${stderr}`);
  return {
    outFile,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
    lines: () => (existsSync(outFile) ? readFileSync(outFile, 'utf8').split('\n').filter((l) => l.length > 0) : []),
  };
}

async function waitForPort(port: number, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(describe());
}
