// The port picker behind every test listener (broker, PostgreSQL, services). The kernel's own
// pick repeats ports (it once gave both listeners of one broker the same port); these picks
// must not, within a process or across processes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, freePorts } from './index';

const picker = path.join(__dirname, '../harness/free-ports.js');

describe('free ports', () => {
  // Reservations of this spec's own, so that its many picks do not crowd the machine-wide ones.
  const reservations = mkdtempSync(path.join(tmpdir(), 'authtrail-ports-'));
  const previous = process.env['AUTHTRAIL_PORT_RESERVATIONS'];
  beforeAll(() => {
    process.env['AUTHTRAIL_PORT_RESERVATIONS'] = reservations;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env['AUTHTRAIL_PORT_RESERVATIONS'];
    else process.env['AUTHTRAIL_PORT_RESERVATIONS'] = previous;
    rmSync(reservations, { recursive: true, force: true });
  });

  it('600 ports picked one after another in one process are all different', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 600; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('one request for several ports gives different ones, each free to listen on', async () => {
    for (let i = 0; i < 50; i++) {
      const ports = await freePorts(3);
      expect(ports).toHaveLength(3);
      expect(new Set(ports).size).toBe(3);
      for (const port of ports) {
        const server = createServer();
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', resolve);
        });
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });

  it('two processes picking at the same time never get the same port', async () => {
    const script = `const { freePort } = require(${JSON.stringify(picker)});
      (async () => { const ports = []; for (let i = 0; i < 300; i++) ports.push(await freePort()); console.log(JSON.stringify(ports)); })();`;
    const run = () => promisify(execFile)(process.execPath, ['-e', script], { env: { ...process.env, AUTHTRAIL_PORT_RESERVATIONS: reservations } });
    const [a, b] = await Promise.all([run(), run()]);
    const first = JSON.parse(a.stdout) as number[];
    const second = JSON.parse(b.stdout) as number[];
    expect(first).toHaveLength(300);
    expect(second).toHaveLength(300);
    expect(new Set([...first, ...second]).size).toBe(600);
  });
});
