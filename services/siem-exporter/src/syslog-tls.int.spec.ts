// The syslog sink over TLS (RFC 5425): certificates minted with the openssl CLI, a Node TLS
// server reading octet-counted frames as a receiver does. (Debian's rsyslog here has no TLS
// driver installed, so the TLS receiver is Node's.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { parseSiemConfig, type SyslogSinkConfig } from './siem.config';
import { createSyslogSink } from './sinks/syslog.sink';
import { decisionAt } from './testdata/decision-stream.fixture';

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA and a server certificate for localhost signed by it; and a second, unrelated CA. */
function mintCertificates(dir: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=siem test CA');
  openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1');
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', '1', '-subj', '/CN=other CA');
}

function readFrames(buffer: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let at = 0;
  for (;;) {
    const space = buffer.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(buffer.subarray(at, space).toString('ascii'));
    if (buffer.length < space + 1 + length) break;
    messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
    at = space + 1 + length;
  }
  return { messages, rest: buffer.subarray(at) };
}

describe('syslog sink over TLS', () => {
  let dir: string;
  let server: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'siem-tls-'));
    mintCertificates(dir);
    server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (socket) => {
      let pending: Buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        const { messages, rest } = readFrames(Buffer.concat([pending, chunk]));
        received.push(...messages);
        pending = rest;
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const sinkWith = (caFile: string, format: 'rfc5424' | 'cef' = 'rfc5424') => {
    const parsed = parseSiemConfig({ sinks: [{ type: 'syslog', host: '127.0.0.1', port, transport: 'tls', format, tls: { caFile, serverName: 'localhost' }, connectTimeout: '2s' }] });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    return createSyslogSink(parsed.config.sinks[0] as SyslogSinkConfig, '0.1.0');
  };

  it('delivers octet-counted RFC 5424 frames to a receiver whose certificate chains to the configured CA', async () => {
    const sink = sinkWith(join(dir, 'ca.pem'));
    const events = [decisionAt(1), decisionAt(9)];
    try {
      expect(await sink.deliver(events.map((event) => ({ event, key: null, headers: {} })))).toEqual({ kind: 'acknowledged' });
    } finally {
      await sink.close();
    }
    for (const event of events) expect(received.some((m) => m.includes(`[authtrail@32473 id="${event.id}"`))).toBe(true);
  });

  it('carries CEF as the message when format is cef', async () => {
    const sink = sinkWith(join(dir, 'ca.pem'), 'cef');
    const event = decisionAt(9);
    try {
      expect(await sink.deliver([{ event, key: null, headers: {} }])).toEqual({ kind: 'acknowledged' });
    } finally {
      await sink.close();
    }
    expect(received.some((m) => m.includes('CEF:0|authtrail|authtrail|0.1.0|authtrail:authn:deny|') && m.includes(`externalId=${event.id}`))).toBe(true);
  });

  it('a receiver certificate from another CA is refused: nothing is sent and the batch is unavailable', async () => {
    const before = received.length;
    const sink = sinkWith(join(dir, 'other.pem'));
    try {
      const outcome = await sink.deliver([{ event: decisionAt(2), key: null, headers: {} }]);
      expect(outcome.kind).toBe('unavailable');
    } finally {
      await sink.close();
    }
    expect(received.length).toBe(before);
  });
});
