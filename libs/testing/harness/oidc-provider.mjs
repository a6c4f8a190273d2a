// Child process running a REAL `oidc-provider` (ESM-only, hence not inside jest) on a loopback
// port: discovery, JWKS and id-tokens signed by the provider's own keystore.
//
// Driven over the IPC channel by libs/testing/src/oidc-provider.ts:
//   { id, type: 'mint', sub, claims, expiresIn? } → { id, token }   (the provider's IdToken class)
//   { id, type: 'rotate', keys }                  → { id }          (a new Provider with the new
//        keystore behind the same listening socket: what a provider restart looks like from outside)
//   { id, type: 'stats' }                         → { id, stats }   (requests per path)
// Config arrives as JSON in AUTHTRAIL_OIDC_HARNESS: { port?, tls?: {key, cert}, keys, clientId, alg }.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.AUTHTRAIL_OIDC_HARNESS ?? '{}');
const scheme = config.tls ? 'https' : 'http';
let issuer; // known once the socket listens (port 0 = any free port, no race)
const stats = {};

function buildProvider(keys) {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.clientId,
        client_secret: 'harness-client-secret-not-used-for-signing',
        redirect_uris: ['https://client.example.test/callback'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: config.alg,
      },
    ],
    jwks: { keys },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: ['openid', 'email', 'groups'],
    features: { devInteractions: { enabled: false } },
    enabledJWA: { idTokenSigningAlgValues: [config.alg] },
    cookies: { keys: ['harness-cookie-key'] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  });
  // The provider logs "you're using the default ..." style warnings; keep the harness quiet.
  provider.on('server_error', () => undefined);
  return provider;
}

let provider;
const handler = (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  stats[path] = (stats[path] ?? 0) + 1;
  provider.callback()(req, res);
};
const server = config.tls ? createHttpsServer({ key: config.tls.key, cert: config.tls.cert }, handler) : createHttpServer(handler);

async function mint({ sub, claims = {}, expiresIn }) {
  const client = await provider.Client.find(config.clientId);
  const token = new provider.IdToken({ sub }, { client });
  token.scope = 'openid email groups';
  for (const [name, value] of Object.entries(claims)) token.set(name, value);
  return token.issue({ use: 'idtoken', ...(expiresIn !== undefined ? { expiresAt: Math.floor(Date.now() / 1000) + expiresIn } : {}) });
}

process.on('message', async (message) => {
  try {
    switch (message.type) {
      case 'mint':
        process.send({ id: message.id, token: await mint(message) });
        break;
      case 'rotate':
        provider = buildProvider(message.keys);
        process.send({ id: message.id });
        break;
      case 'stats':
        process.send({ id: message.id, stats: { ...stats } });
        break;
      default:
        process.send({ id: message.id, error: `unknown message ${message.type}` });
    }
  } catch (error) {
    process.send({ id: message.id, error: String(error?.message ?? error) });
  }
});
process.on('disconnect', () => server.close(() => process.exit(0)));

server.listen(config.port ?? 0, '127.0.0.1', () => {
  issuer = `${scheme}://127.0.0.1:${server.address().port}`;
  provider = buildProvider(config.keys);
  process.send({ type: 'ready', issuer });
});
