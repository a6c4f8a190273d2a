// The ceiling of bench/peers' TokenReview row: bare fastify over the same HTTPS listener authtrail
// has (client certificate requested), answering a TokenReview with no authentication at all —
// `/tokenreviews` — and the same plus one decision record (~1 KB, built once) handed to the same
// kafkajs publisher authn uses, in buffered mode — `/tokenreviews-with-kafka`. What no Node,
// kafkajs-based service can beat on this machine. Options come as JSON in argv[2]:
//   { port, certFile, keyFile, caFile, brokers, spoolDir }
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { createKafkaBus } from '@authtrail/event-bus';
import { TOPICS, toBusRecord } from '@authtrail/events';
import { sampleDecisionEvent } from '../shared/sample-decision';

interface Options {
  readonly port: number;
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
  await app.listen({ port: options.port, host: '127.0.0.1' });
  const stop = () =>
    void app
      .close()
      .then(() => bus.close())
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`ceiling server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
