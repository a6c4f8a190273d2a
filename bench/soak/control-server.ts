// The soak's control: a bare node:http handler answering a fixed TokenReview, in a process of its
// own, driven by a second rate client through the whole soak. Its latency per window is what the
// machine and the load client alone cost at that moment (scheduling, the other core's work): a
// product p99 that rises and falls with it is the environment, not the product.
// Prints `listening <port>` once bound; exits when its parent goes away.
import { createServer } from 'node:http';

const answer = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', status: { authenticated: true, user: { username: 'soak-user', uid: 'uid-soak', groups: ['bench', 'devs'] } } });

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    response.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
