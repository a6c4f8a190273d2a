// Load for the embedded memory test: autocannon in a process of its own, so that the load never
// shares the event loop of the product it measures (nor of the test that samples it). Options come
// as a JSON file named by argv[2] (the body holds a token: not in the command line, which `ps`
// shows): { url, method, headers, body, connections, amount, progressEvery }.
// stdout: `progress <responses> <non2xx>` every `progressEvery` responses, then `result <json>`.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const options = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let responses = 0;
let non2xx = 0;
const instance = autocannon({
  url: options.url,
  method: options.method,
  headers: options.headers,
  body: options.body,
  connections: options.connections,
  amount: options.amount,
  timeout: 30,
});
instance.on('response', (_client, statusCode) => {
  responses += 1;
  if (statusCode < 200 || statusCode > 299) non2xx += 1;
  if (responses % options.progressEvery === 0) process.stdout.write(`progress ${responses} ${non2xx}\n`);
});
instance.on('done', (result) => {
  process.stdout.write(
    `result ${JSON.stringify({ total: result.requests.total, sent: result.requests.sent, rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, duration: result.duration, statusCodes: result.statusCodeStats })}\n`,
  );
});
