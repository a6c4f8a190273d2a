// The self-hosted GraphiQL page. Everything it loads comes from this server (GraphiQL 3's UMD
// bundle and React 18's UMD builds out of node_modules), so it works with no internet access;
// the Content-Security-Policy allows nothing else.
import { EXAMPLE_QUERIES } from './example-queries';

export interface PlaygroundOptions {
  /** Path of the GraphQL endpoint, e.g. `/graphql`. */
  readonly endpoint: string;
  /** Whether GraphiQL may introspect (docs, autocomplete); off when introspection is disabled. */
  readonly introspection: boolean;
  /** Where the assets are served, e.g. `/playground/assets`. */
  readonly assetsPath: string;
}

export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `<` escaped so the JSON cannot close the script element it sits in. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function playgroundHtml(options: PlaygroundOptions): string {
  const config = {
    endpoint: options.endpoint,
    introspection: options.introspection,
    tabs: EXAMPLE_QUERIES.map((q) => ({ query: q.query, variables: q.variables ? JSON.stringify(q.variables, null, 2) : undefined })),
    headers: JSON.stringify({ Authorization: 'Bearer <your token>' }, null, 2),
  };
  const a = options.assetsPath;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>authtrail GraphQL playground</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${a}/graphiql.min.css">
<link rel="stylesheet" href="${a}/playground.css">
</head>
<body>
<div id="authtrail-banner">authtrail — set <code>Authorization</code> in the <b>Headers</b> tab below the editor; example queries are in the tabs.</div>
<div id="graphiql">Loading…</div>
<script type="application/json" id="authtrail-playground-config">${jsonForScript(config)}</script>
<script src="${a}/react.production.min.js"></script>
<script src="${a}/react-dom.production.min.js"></script>
<script src="${a}/graphiql.min.js"></script>
<script src="${a}/playground.js"></script>
</body>
</html>
`;
}

/** The page's own script (a file, so the CSP needs no 'unsafe-inline' for scripts). */
export const PLAYGROUND_JS = `(function () {
  var config = JSON.parse(document.getElementById('authtrail-playground-config').textContent);
  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    schema: config.introspection ? undefined : null,
    defaultTabs: config.tabs,
    defaultHeaders: config.headers,
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true
  }));
})();
`;

export const PLAYGROUND_CSS = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; }
#authtrail-banner { font: 13px system-ui, sans-serif; padding: 6px 12px; background: #0b3d5c; color: #fff; }
#authtrail-banner code { background: rgba(255,255,255,.15); padding: 0 4px; border-radius: 3px; }
#graphiql { flex: 1; min-height: 0; }
`;
