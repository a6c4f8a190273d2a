// The Node peer of bench/peers: fastify + @fastify/jwt (fast-jwt) answering a forward-auth request
// the way a team would write it by hand — verify the bearer JWT (RS256 pinned, issuer and audience
// checked, exp/nbf by fast-jwt), 200 with the subject in X-Remote-User, else 401. Nothing recorded.
// `cache: true` turns on fast-jwt's verification cache (keyed by the token), the counterpart of
// authtrail's decision cache. Options come as JSON in argv[2]:
//   { port, publicKeyFile, issuer, audience, cache }
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import fastifyJwt from '@fastify/jwt';

interface Options {
  readonly port: number;
  readonly publicKeyFile: string;
  readonly issuer: string;
  readonly audience: string;
  readonly cache: boolean;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Options;
  const app = Fastify({ logger: false });
  await app.register(fastifyJwt, {
    secret: { public: readFileSync(options.publicKeyFile, 'utf8') },
    verify: { algorithms: ['RS256'], allowedIss: options.issuer, allowedAud: options.audience, cache: options.cache },
  });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/forward-auth', async (request, reply) => {
    try {
      const claims = await request.jwtVerify<{ sub?: string }>();
      reply.header('x-remote-user', claims.sub ?? '');
      return { authenticated: true };
    } catch {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ authenticated: false });
    }
  });
  await app.listen({ port: options.port, host: '127.0.0.1' });
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`fastify-jwt peer failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
