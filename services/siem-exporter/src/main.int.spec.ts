// main.ts as its own process (tsx), configured by a YAML file and KAFKA_BROKERS: it delivers,
// serves /metrics, and stops on SIGTERM with exit code 0.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AuthtrailEvent } from '@authtrail/events';
import { freePort, testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import { decisionAt, publishEvents, waitUntil } from './testdata/decision-stream.fixture';

const ROOT = resolve(__dirname, '../../..');

describe('siem-exporter main.ts', () => {
  it('runs from a config file, delivers, exposes metrics and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siem-main-'));
    const topics = { decisions: uniqueTopic('siem-main-dec'), control: uniqueTopic('siem-main-ctl'), deadLetter: uniqueTopic('siem-main-dlq') };
    const ocsf = uniqueTopic('siem-main-ocsf');
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: topics.decisions }, { topic: topics.control }], waitForLeaders: true });
    await admin.disconnect();
    const events: AuthtrailEvent[] = Array.from({ length: 10 }, (_, n) => decisionAt(n));
    await publishEvents(testKafka(), topics.decisions, events);

    const metricsPort = await freePort();
    const configFile = join(dir, 'authtrail.yaml');
    writeFileSync(
      configFile,
      [
        `dataDir: ${dir}`,
        'siem:',
        `  groupId: ${uniqueTopic('siem-main-group')}`,
        `  topics: { decisions: ${topics.decisions}, control: ${topics.control}, deadLetter: ${topics.deadLetter} }`,
        `  metrics: { port: ${metricsPort}, host: 127.0.0.1 }`,
        '  sinks:',
        `    - { type: kafka-ocsf, name: ocsf, topic: ${ocsf} }`,
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(__dirname, 'main.ts'), '--config', configFile], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: testKafkaBrokers().join(',') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    try {
      const delivered = async (): Promise<boolean> => {
        const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
        return /authtrail_siem_delivered_total\{sink="ocsf"\} 10\b/.test(text);
      };
      await waitUntil(delivered, 45_000, `the process to deliver 10 events (output: ${output})`);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('siem exporter stopped');
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad siem section stops the process with an error naming the key and the file, exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siem-main-bad-'));
    const configFile = join(dir, 'authtrail.yaml');
    writeFileSync(configFile, `dataDir: ${dir}\nsiem:\n  sinks:\n    - { type: syslog, host: h, port: 99999 }\n`);
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(__dirname, 'main.ts'), '--config', configFile], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: testKafkaBrokers().join(',') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolveExit) => child.once('exit', (c) => resolveExit(c)));
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr).toContain(`${configFile}: siem.sinks[0].port: must be <= 65535`);
  });
});
