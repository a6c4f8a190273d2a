// GET /playground and its assets. A public route (no auth hook): the page itself holds no data,
// and the caller sets their Authorization once inside it, for every tab (playground-script.ts).
// Assets are a fixed allow-list of files from node_modules, resolved once at registration; no
// path from the URL reaches the disk.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PLAYGROUND_CSP, PLAYGROUND_CSS, playgroundHtml } from './playground-page';
import { PLAYGROUND_JS } from './playground-script';

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

function loadAssets(): ReadonlyMap<string, Asset> {
  // Package folders via their package.json (always exported); the UMD files themselves are not in
  // the packages' `exports` maps, so they are read by path inside the folder.
  const require = createRequire(__filename);
  const file = (specifier: string) => {
    const [scope, ...rest] = specifier.split('/');
    return readFileSync(join(dirname(require.resolve(`${scope}/package.json`)), ...rest));
  };
  return new Map<string, Asset>([
    ['graphiql.min.js', { body: file('graphiql/graphiql.min.js'), type: 'text/javascript; charset=utf-8' }],
    ['graphiql.min.css', { body: file('graphiql/graphiql.min.css'), type: 'text/css; charset=utf-8' }],
    ['react.production.min.js', { body: file('react/umd/react.production.min.js'), type: 'text/javascript; charset=utf-8' }],
    ['react-dom.production.min.js', { body: file('react-dom/umd/react-dom.production.min.js'), type: 'text/javascript; charset=utf-8' }],
    ['playground.js', { body: Buffer.from(PLAYGROUND_JS), type: 'text/javascript; charset=utf-8' }],
    ['playground.css', { body: Buffer.from(PLAYGROUND_CSS), type: 'text/css; charset=utf-8' }],
  ]);
}

export interface PlaygroundRouteOptions {
  readonly endpoint: string;
  readonly introspection: boolean;
}

export async function playgroundRoutes(app: FastifyInstance, options: PlaygroundRouteOptions): Promise<void> {
  const assets = loadAssets();
  const html = playgroundHtml({ endpoint: options.endpoint, introspection: options.introspection, assetsPath: '/playground/assets' });

  app.get('/', async (_request, reply) => reply.redirect('/playground'));
  app.get('/playground', async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PLAYGROUND_CSP).header('x-content-type-options', 'nosniff').send(html),
  );
  app.get<{ Params: { file: string } }>('/playground/assets/:file', async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (!asset) return reply.code(404).send({ error: 'not found' });
    return reply
      .header('content-type', asset.type)
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(asset.body);
  });
}
