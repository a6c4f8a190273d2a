import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { SyslogSinkConfig } from '../siem.config';

export type WriteOutcome = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/**
 * One TCP or TLS connection to a syslog receiver, opened on demand and replaced after any
 * failure. TCP syslog has no application acknowledgement, so `send` counts a batch as received
 * only if the connection is still open `confirmWindowMs` after the kernel took the bytes: a
 * receiver that stops closes (FIN) or resets (unread data → RST) the connection, and the batch
 * is then sent again on a new one (duplicates are possible, losses are not).
 */
export class SyslogConnection {
  private socket: Socket | undefined;
  private broken: string | undefined;
  private readonly tlsOptions: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};

  constructor(private readonly config: SyslogSinkConfig) {
    const tls = config.tls;
    if (config.transport === 'tls' && tls) {
      // Read once at start: a missing file is a startup error, not a delivery retry loop.
      if (tls.caFile) this.tlsOptions.ca = readFileSync(tls.caFile);
      if (tls.certFile) this.tlsOptions.cert = readFileSync(tls.certFile);
      if (tls.keyFile) this.tlsOptions.key = readFileSync(tls.keyFile);
    }
  }

  async send(payload: Buffer, abort: AbortSignal): Promise<WriteOutcome> {
    const connection = await this.connected().then(
      (socket) => ({ ok: true as const, socket }),
      (error: Error) => ({ ok: false as const, detail: error.message }),
    );
    if (!connection.ok) return { ok: false, detail: `connect to ${this.config.host}:${this.config.port} failed: ${connection.detail}` };
    const socket = connection.socket;
    const written = await new Promise<WriteOutcome>((resolve) => {
      socket.write(payload, (error) => resolve(error ? { ok: false, detail: error.message } : { ok: true }));
    });
    if (!written.ok) return this.fail(written.detail);
    await pause(this.config.confirmWindowMs, abort);
    if (this.broken !== undefined || this.socket !== socket) return this.fail(this.broken ?? 'connection replaced');
    return { ok: true };
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private fail(detail: string): WriteOutcome {
    this.close();
    return { ok: false, detail: `connection to ${this.config.host}:${this.config.port} lost: ${detail}` };
  }

  private connected(): Promise<Socket> {
    if (this.socket && this.broken === undefined && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.close();
    this.broken = undefined;
    return new Promise<Socket>((resolve, reject) => {
      const { host, port, transport, tls } = this.config;
      const socket =
        transport === 'tls'
          ? tlsConnect({ host, port, servername: tls?.serverName ?? host, rejectUnauthorized: tls?.rejectUnauthorized ?? true, ...this.tlsOptions })
          : netConnect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error(`timed out after ${this.config.connectTimeoutMs} ms`)), this.config.connectTimeoutMs);
      const ready = transport === 'tls' ? 'secureConnect' : 'connect';
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.setKeepAlive(true, 30_000);
        socket.setNoDelay(true);
        this.socket = socket;
        resolve(socket);
      });
      // The receiver never talks back on a syslog connection: any data, end or error means it is going away.
      socket.on('data', () => undefined);
      socket.once('end', () => this.markBroken(socket, 'closed by the receiver'));
      socket.once('close', () => this.markBroken(socket, 'closed'));
      socket.on('error', (error) => {
        clearTimeout(timer);
        this.markBroken(socket, error.message);
        reject(error);
      });
    });
  }

  private markBroken(socket: Socket, detail: string): void {
    if (this.socket === socket && this.broken === undefined) this.broken = detail;
  }
}

function pause(ms: number, abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    abort.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
