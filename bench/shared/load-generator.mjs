// The benches' load generator: autocannon in a process of its own, so that it does not share the
// event loop (and CPU time slices) of the server it measures. Options come as JSON in argv[2]:
//   { url, method, headers, body | bodiesFile, headersFile, tls: { certFile, keyFile }, connections, duration }
// bodiesFile / headersFile: a JSON array of bodies / header objects (merged over `headers`), one
// per request in turn (a new token each request, pre-minted). tls: a client certificate for mTLS.
// Prints { rps, total, p99, non2xx, errors } as JSON.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
const bodies = options.bodiesFile ? JSON.parse(readFileSync(options.bodiesFile, 'utf8')) : undefined;
const headerSets = options.headersFile ? JSON.parse(readFileSync(options.headersFile, 'utf8')) : undefined;
let next = 0;
const perRequest = (request) => {
  const index = next++;
  return {
    ...request,
    ...(bodies ? { body: bodies[index % bodies.length] } : {}),
    ...(headerSets ? { headers: { ...request.headers, ...headerSets[index % headerSets.length] } } : {}),
  };
};
const result = await autocannon({
  url: options.url,
  method: options.method,
  headers: options.headers,
  body: options.body,
  connections: options.connections,
  duration: options.duration,
  // autocannon never verifies the server certificate; the client certificate is what matters here.
  ...(options.tls ? { tlsOptions: { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) } } : {}),
  ...(bodies || headerSets ? { requests: [{ setupRequest: perRequest }] } : {}),
});
process.stdout.write(JSON.stringify({ rps: result.requests.average, total: result.requests.total, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors }));
