// Runs bench/shared/load-generator.mjs (autocannon) in a child process: the load generator never
// competes with the measured server's event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface Load {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** A JSON file of request bodies, sent in turn (tokens that must all differ). */
  readonly bodiesFile?: string;
  /** A JSON file of header objects merged over `headers`, one per request in turn. */
  readonly headersFile?: string;
  /** A client certificate for mTLS. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export interface LoadResult {
  readonly rps: number;
  readonly total: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** `onStart` gets the child (to end it on SIGINT). */
export function runLoad(load: Load, connections: number, duration: number, onStart?: (child: ChildProcess) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'load-generator.mjs'), JSON.stringify({ ...load, connections, duration })], { stdio: ['ignore', 'pipe', 'inherit'] });
    onStart?.(child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as LoadResult) : reject(new Error(`load generator exited with ${code}`))));
  });
}
