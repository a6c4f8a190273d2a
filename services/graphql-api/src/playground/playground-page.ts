// The self-hosted GraphiQL page. Everything it loads comes from this server (GraphiQL 3's UMD
// bundle and React 18's UMD builds out of node_modules), so it works with no internet access;
// the Content-Security-Policy allows nothing else. The page is the same for every caller: the
// server never sees or echoes the caller's token here (playground-script.ts keeps it in the
// browser tab's sessionStorage).
import { getIntrospectionQuery } from 'graphql';
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
    // The check the page runs when a token is set; GraphiQL builds its schema from the answer.
    introspectionQuery: options.introspection ? getIntrospectionQuery() : undefined,
    // No per-tab Authorization placeholder: the field above the editor covers every tab.
    tabs: EXAMPLE_QUERIES.map((q) => ({ query: q.query, variables: q.variables ? JSON.stringify(q.variables, null, 2) : undefined })),
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
<div id="authtrail-banner">
<b>authtrail</b>
<label for="authtrail-token">Authorization for every tab</label>
<input id="authtrail-token" type="password" autocomplete="off" spellcheck="false" placeholder="token (sent as Bearer), or a whole value: Basic …">
<button type="button" id="authtrail-apply">Use for all tabs</button>
<button type="button" id="authtrail-forget">Forget</button>
<span id="authtrail-status" role="status" aria-live="polite"></span>
</div>
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

export const PLAYGROUND_CSS = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; }
#authtrail-banner { font: 13px system-ui, sans-serif; padding: 6px 12px; background: #0b3d5c; color: #fff; display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
#authtrail-banner input { flex: 0 1 28em; min-width: 12em; font: inherit; padding: 2px 6px; }
#authtrail-banner button { font: inherit; padding: 2px 10px; cursor: pointer; }
#authtrail-status { flex: 1 1 20em; }
#authtrail-status[data-state="accepted"] { color: #9fe6a0; }
#authtrail-status[data-state="rejected"], #authtrail-status[data-state="forbidden"], #authtrail-status[data-state="error"], #authtrail-status[data-state="invalid"] { color: #ffb4a8; font-weight: 600; }
#graphiql { flex: 1; min-height: 0; }
`;
