// The ceilings and floors of bench/peers. Over the same HTTPS listener authtrail has (client
// certificate requested): a TokenReview answered with no authentication at all — `/tokenreviews`
// —, the same plus one decision record (~1 KB, built once) handed to the same kafkajs publisher
// authn uses, in buffered mode — `/tokenreviews-with-kafka`, what no Node, kafkajs-based service
// can beat on this machine —, and the same plus one audited decision whose bytes are the record —
// `/tokenreviews-audited` (bench/shared/floor-work.ts). Over plain HTTP, as the JWT peers listen,
// the JWT decisions' floors: `/forward-auth-audited` (a cache hit's least) and
// `/forward-auth-verified` (the RS256 verification and the claims read, then the same), each
// answering with the front-proxy identity headers authtrail answers with. Options
// come as JSON in argv[2]:
//   { port, httpPort, certFile, keyFile, caFile, publicKeyFile, brokers, spoolDir }
import { createPublicKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyReply } from 'fastify';
import { createKafkaBus } from '@authtrail/event-bus';
import { TOPICS, toBusRecord } from '@authtrail/events';
import { claimsOf, floorWork } from '../shared/floor-work';
import { serviceAccountFrontProxyHeaders } from '../shared/front-proxy-headers';
import { sampleDecisionEvent } from '../shared/sample-decision';

interface Options {
  readonly port: number;
  readonly httpPort: number;
  readonly publicKeyFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  readonly brokers: string;
  readonly spoolDir: string;
}

interface ReviewBody {
  readonly spec?: { readonly token?: string };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Options;
  // As services/authn/src/main.ts configures its bus.
  const bus = createKafkaBus({ brokers: options.brokers.split(','), clientId: 'bench-peers-ceiling', mode: 'buffered', spoolDir: options.spoolDir, topics: { [TOPICS.decisions]: { partitions: 6 } } });
  const record = toBusRecord(TOPICS.decisions, sampleDecisionEvent('bench-peers-ceiling', true));
  const app = Fastify({
    logger: false,
    https: { cert: readFileSync(options.certFile), key: readFileSync(options.keyFile), ca: readFileSync(options.caFile), requestCert: true, rejectUnauthorized: false },
  });
  const review = (body: ReviewBody) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', status: { authenticated: typeof body.spec?.token === 'string', user: { username: 'bench-user', uid: 'uid-1', groups: ['bench', 'devs'] } } });
  app.get('/healthz', async () => ({ ok: true }));
  app.post('/tokenreviews', async (request) => review(request.body as ReviewBody));
  app.post('/tokenreviews-with-kafka', async (request) => {
    void bus.publisher.publish(record);
    return review(request.body as ReviewBody);
  });
  const floor = floorWork(bus.publisher, record, createPublicKey(readFileSync(options.publicKeyFile)));
  app.post('/tokenreviews-audited', async (request) => {
    const body = request.body as ReviewBody;
    await floor.audited(body.spec?.token ?? '');
    return review(body);
  });
  const http = Fastify({ logger: false });
  http.get('/healthz', async () => ({ ok: true }));
  const bearer = (authorization: string | undefined) => (authorization?.startsWith('Bearer ') ? authorization.slice(7) : '');
  // Both answer as a forward-auth speaking the front-proxy convention does, the decision named:
  // the identity headers of the token's claims, a decision id in a header and the body.
  const answer = (reply: FastifyReply, identity: Readonly<Record<string, string | string[]>>) => {
    const decisionId = randomUUID();
    reply.header('x-decision-id', decisionId).headers(identity);
    return { authenticated: true, decisionId };
  };
  // A cache hit's least: the identity of the token seen last, its claims read once.
  let lastToken = '';
  let lastIdentity: Readonly<Record<string, string | string[]>> = {};
  http.get('/forward-auth-audited', async (request, reply) => {
    const token = bearer(request.headers.authorization);
    await floor.audited(token);
    if (token !== lastToken) [lastToken, lastIdentity] = [token, serviceAccountFrontProxyHeaders(claimsOf(token))];
    return answer(reply, lastIdentity);
  });
  http.get('/forward-auth-verified', async (request, reply) => {
    const claims = await floor.verifiedAndAudited(bearer(request.headers.authorization));
    if (claims === undefined) return reply.code(401).send({ authenticated: false });
    return answer(reply, serviceAccountFrontProxyHeaders(claims));
  });
  await app.listen({ port: options.port, host: '127.0.0.1' });
  await http.listen({ port: options.httpPort, host: '127.0.0.1' });
  const stop = () =>
    void Promise.all([app.close(), http.close()])
      .then(() => bus.close())
      .then(() => floor.close())
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`ceiling server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
