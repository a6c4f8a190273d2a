// The standalone projector's probes and fatal errors (issue #18 item 6): /healthz and /readyz
// answer its lag as JSON; a fatal error (its metrics port already taken) ends the process with
// exit 1 and one log line, no stack trace.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, freePort, testKafkaBrokers, uniqueTopic, waitFor } from '@authtrail/testing';
import { spawnTsx } from '../testdata/child-process';

const projectorEnv = async (dataDir: string, metricsPort: number): Promise<NodeJS.ProcessEnv> => ({
  KAFKA_BROKERS: testKafkaBrokers().join(','),
  DATABASE_URL: await createTestDatabase('projector_main'),
  PROJECTOR_GROUP_ID: uniqueTopic('main.group'),
  PROJECTOR_TOPICS: `${uniqueTopic('main.decisions')},${uniqueTopic('main.control')}`,
  PROJECTOR_DEAD_LETTER_TOPIC: uniqueTopic('main.dlq'),
  PROJECTOR_METRICS_PORT: String(metricsPort),
  PROJECTOR_METRICS_HOST: '127.0.0.1',
  AUTHTRAIL_DATA_DIR: dataDir,
  AUTHTRAIL_LOG_LEVEL: 'warn',
});

describe('projector main: /healthz and /readyz', () => {
  it('both answer 200 with the status and the lag per partition as JSON once it runs', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'projector-main-'));
    const port = await freePort();
    const child = spawnTsx(path.join(__dirname, 'main.ts'), ['run'], await projectorEnv(dataDir, port));
    try {
      await child.waitForLine(/projector ready/, 90_000);
      for (const probe of ['/healthz', '/readyz']) {
        const body = await waitFor(`${probe} ok`, async () => {
          const res = await fetch(`http://127.0.0.1:${port}${probe}`);
          const json = (await res.json()) as { status: string; lag: number; partitions: unknown[] };
          return res.status === 200 && json.status === 'ok' ? json : undefined;
        }, { timeoutMs: 30_000 });
        expect(body.lag).toBe(0);
        expect(body.partitions.length).toBeGreaterThan(0);
      }
      child.process.kill('SIGTERM');
      expect(await child.exited).toBe(0);
    } finally {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('projector main: metrics port already in use', () => {
  let busy: Server;
  let dataDir: string;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    dataDir = mkdtempSync(path.join(tmpdir(), 'projector-fatal-'));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => busy.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 1 with one error line naming the address, no stack trace', async () => {
    const port = (busy.address() as { port: number }).port;
    const child = spawnTsx(path.join(__dirname, 'main.ts'), ['run'], await projectorEnv(dataDir, port));
    expect(await child.exited).toBe(1);
    const errors = child.output.filter((line) => line.includes('"level":50'));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0])).toMatchObject({ msg: 'projector failed: metrics listener', error: `Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}` });
    expect(child.output.join('\n')).not.toMatch(/^\s+at /m);
  }, 120_000);
});
