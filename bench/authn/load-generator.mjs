// The load generator of bench/authn, in a process of its own so that it does not share the event
// loop (and CPU time slices) of the server it measures. Options come as JSON in argv[2]:
// { url, method, headers, body | bodiesFile, connections, duration }. Prints autocannon's result.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
const bodies = options.bodiesFile ? JSON.parse(readFileSync(options.bodiesFile, 'utf8')) : undefined;
let next = 0;
const result = await autocannon({
  url: options.url,
  method: options.method,
  headers: options.headers,
  body: options.body,
  connections: options.connections,
  duration: options.duration,
  ...(bodies ? { requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }] } : {}),
});
process.stdout.write(JSON.stringify({ rps: result.requests.average, total: result.requests.total, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors }));
