// A minimal OpenID issuer for the demo: discovery and JWKS over HTTP on loopback, and id-tokens
// signed with the demo key. Enough for the oidc strategy to do real discovery and JWKS fetches;
// a real deployment points the strategy at its identity provider instead.
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, SignJWT } from 'jose';

export interface DemoOidcIssuer {
  readonly url: string;
  mintIdToken(claims: { email: string; groups: readonly string[]; audience: string; ttlSeconds: number }): Promise<string>;
  close(): Promise<void>;
}

export async function startDemoOidcIssuer(privateKey: KeyObject, port: number, host = '127.0.0.1'): Promise<DemoOidcIssuer> {
  const url = `http://${host}:${port}`;
  const jwk = { ...(await exportJWK(createPublicKey(privateKey))), kid: 'demo-1', use: 'sig', alg: 'ES256' };
  const documents: Record<string, unknown> = {
    '/.well-known/openid-configuration': {
      issuer: url,
      jwks_uri: `${url}/jwks`,
      id_token_signing_alg_values_supported: ['ES256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
    },
    '/jwks': { keys: [jwk] },
  };
  const server: Server = createServer((request, response) => {
    const body = documents[request.url ?? ''];
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    url,
    async mintIdToken({ email, groups, audience, ttlSeconds }) {
      return new SignJWT({ email, email_verified: true, groups: [...groups] })
        .setProtectedHeader({ alg: 'ES256', kid: 'demo-1', typ: 'JWT' })
        .setIssuer(url)
        .setSubject(randomUUID())
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
