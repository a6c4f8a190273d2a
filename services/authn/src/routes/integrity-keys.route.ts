// `GET /v1/integrity/keys`: the public keys this producer's checkpoints verify with, as an RFC
// 8037 JWK Set (docs/integrity.md). Public like /healthz: they prove signatures, they sign nothing.
import type { FastifyPluginAsync } from 'fastify';
import type { VerificationKeyRing } from '@authtrail/integrity';

export interface IntegrityKeysDeps {
  readonly keys: VerificationKeyRing;
}

const jwks = {
  type: 'object',
  properties: {
    keys: {
      type: 'array',
      items: { type: 'object', properties: { kty: { type: 'string' }, crv: { type: 'string' }, x: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { type: 'string' } }, required: ['kty', 'crv', 'x', 'kid'] },
    },
  },
  required: ['keys'],
} as const;

export const integrityKeysRoutes: FastifyPluginAsync<IntegrityKeysDeps> = async (app, deps) => {
  app.get('/v1/integrity/keys', { schema: { response: { 200: jwks } } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return deps.keys.toJwks();
  });
};
