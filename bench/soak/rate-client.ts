// The soak's load: a fixed request rate (open loop) over kept-alive connections, in a process of
// its own (spawned by bench/soak/main.ts; never in the product's or the sampler's event loop).
// Options as JSON in argv[2]: { url, headers, body, rate, connections, sampleSeconds, windows }.
// Every `sampleSeconds` it prints one JSON line: the requests completed in that window and their
// latency (p50 / p99 / max, ms, from the moment the request was due: queueing behind busy
// connections counts). After `windows` windows it exits.
import { Agent, request } from 'node:http';

interface Options {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly rate: number;
  readonly connections: number;
  readonly sampleSeconds: number;
  readonly windows: number;
}

export interface WindowReport {
  readonly window: number;
  /** Seconds since the load started, at the end of the window. */
  readonly at: number;
  readonly sent: number;
  readonly completed: number;
  readonly non2xx: number;
  readonly errors: number;
  /** The errors by code (ECONNRESET, …), so a failed request can be told apart from a slow one. */
  readonly errorCodes: Readonly<Record<string, number>>;
  /** Requests that were due but not sent: too many already in flight (the server fell behind). */
  readonly skipped: number;
  readonly inFlight: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const target = new URL(options.url);
const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
const body = Buffer.from(options.body);
const headers = { ...options.headers, 'content-length': String(body.length) };
/** In flight beyond this (two seconds' worth, at least 64 per connection) counts as skipped, not queued without bound. */
const maxInFlight = Math.max(options.connections * 64, options.rate * 2);

const started = performance.now();
let due = 0;
let inFlight = 0;
const emptyWindow = () => ({ sent: 0, completed: 0, non2xx: 0, errors: 0, errorCodes: {} as Record<string, number>, skipped: 0, latencies: [] as number[] });
let window = emptyWindow();

function send(dueAt: number): void {
  inFlight += 1;
  window.sent += 1;
  const done = (status: number | undefined, error?: Error) => {
    inFlight -= 1;
    window.completed += 1;
    if (status === undefined) {
      window.errors += 1;
      const code = (error as NodeJS.ErrnoException | undefined)?.code ?? error?.message ?? 'unknown';
      window.errorCodes[code] = (window.errorCodes[code] ?? 0) + 1;
    } else if (status < 200 || status >= 300) window.non2xx += 1;
    window.latencies.push(performance.now() - dueAt);
  };
  const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers }, (res) => {
    res.on('data', () => undefined);
    res.on('end', () => done(res.statusCode));
    res.on('error', (error) => done(undefined, error));
  });
  req.on('error', (error) => done(undefined, error));
  req.end(body);
}

/** Sends what is due by now; requests are due every 1/rate seconds from the start. */
function tick(): void {
  const elapsed = performance.now() - started;
  const shouldHaveSent = Math.floor((elapsed / 1000) * options.rate);
  while (due < shouldHaveSent) {
    const dueAt = started + (due * 1000) / options.rate;
    due += 1;
    if (inFlight >= maxInFlight) window.skipped += 1;
    else send(dueAt);
  }
}

const percentile = (sorted: readonly number[], p: number): number | null => (sorted.length === 0 ? null : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null));
const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

let windowNumber = 0;
const ticker = setInterval(tick, 2);
const reporter = setInterval(() => {
  windowNumber += 1;
  const w = window;
  window = emptyWindow();
  const sorted = w.latencies.sort((a, b) => a - b);
  const report: WindowReport = {
    window: windowNumber,
    at: (performance.now() - started) / 1000,
    sent: w.sent,
    completed: w.completed,
    non2xx: w.non2xx,
    errors: w.errors,
    errorCodes: w.errorCodes,
    skipped: w.skipped,
    inFlight,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? (sorted[sorted.length - 1] ?? null) : null),
  };
  const last = windowNumber >= options.windows;
  if (last) {
    clearInterval(ticker);
    clearInterval(reporter);
    agent.destroy();
  }
  process.stdout.write(`${JSON.stringify(report)}\n`, () => last && process.exit(0));
}, options.sampleSeconds * 1000);

// The parent going away ends the load.
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
