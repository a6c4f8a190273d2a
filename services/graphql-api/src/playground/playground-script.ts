// The playground page's own script, served as /playground/assets/playground.js (a file, so the
// CSP needs no 'unsafe-inline' for scripts). It runs in the browser, not in Node.
//
// One Authorization setting for every GraphiQL tab: a field above the editor, kept in
// sessionStorage (gone when the browser tab closes; never localStorage, never a URL, never
// logged), added by the fetcher to every request of every tab, subscriptions included. A tab's
// own Authorization header (Headers editor) still wins for that tab's operations, so one tab can
// try another identity.
//
// Setting the token checks it at once with the introspection query (or `{ __typename }` when the
// server has introspection off) and says what the API answered. Only an accepted token gives
// GraphiQL a schema, so a missing or wrong token shows the reason above the editor instead of
// GraphiQL's "Error fetching schema". The check's answer is handed to GraphiQL as its first
// introspection result (no second request); its Re-fetch button then asks the API again with the
// same token.
export const PLAYGROUND_JS = String.raw`(function () {
  'use strict';
  var STORAGE_KEY = 'authtrail.playground.authorization';
  var config = JSON.parse(document.getElementById('authtrail-playground-config').textContent);
  var input = document.getElementById('authtrail-token');
  var status = document.getElementById('authtrail-status');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  // Subscriptions go over graphql-ws on the same path; a browser cannot set headers on a
  // WebSocket, so the fetcher's headers (Authorization included) become its connectionParams.
  var socketUrl = new URL(config.endpoint, location.href);
  socketUrl.protocol = socketUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  var baseFetcher = GraphiQL.createFetcher({ url: config.endpoint, subscriptionUrl: socketUrl.href });
  var current = { generation: 0, fetcher: null, schema: null };

  function readStored() {
    try { return sessionStorage.getItem(STORAGE_KEY); } catch (e) { return null; }
  }
  function writeStored(value) {
    // Storage may be off (privacy settings): the setting then lasts until the page is reloaded.
    try {
      if (value) sessionStorage.setItem(STORAGE_KEY, value);
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) { /* kept in memory only */ }
  }

  // A bare token is a bearer credential; "Basic …", "Bearer …" (any scheme, a space, a value) are
  // taken as typed. Returns null for an empty field, undefined for a value no header can carry.
  function toAuthorization(text) {
    var value = text.trim();
    if (!value) return null;
    if (/[^\x20-\x7e]/.test(value)) return undefined;
    return /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_|~-]*\s+\S/.test(value) ? value : 'Bearer ' + value;
  }

  function show(state, text) {
    status.textContent = text;
    status.setAttribute('data-state', state);
  }

  function render() {
    root.render(React.createElement(GraphiQL, {
      fetcher: current.fetcher,
      // undefined: GraphiQL introspects through the fetcher; null: no schema (no token, a refused
      // token, or introspection off on the server).
      schema: current.schema,
      defaultTabs: config.tabs,
      defaultEditorToolsVisibility: 'variables',
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true
    }));
  }

  // Asks the API with the page's Authorization only (never a tab's headers) and turns the answer
  // into a status line; payload is what GraphiQL gets for an introspection request.
  function check(authorization, body) {
    return fetch(config.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: authorization },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store'
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (payload) {
        return outcomeOf(response.status, payload);
      });
    }, function (error) {
      return { state: 'error', text: 'Could not reach the API (' + error.message + ').', payload: { errors: [{ message: error.message }] } };
    });
  }

  function outcomeOf(httpStatus, payload) {
    var first = payload && payload.errors && payload.errors[0];
    var said = first && first.message ? first.message : 'no explanation';
    var code = first && first.extensions && first.extensions.code ? ' (' + first.extensions.code + ')' : '';
    var body = payload || { errors: [{ message: 'HTTP ' + httpStatus }] };
    if (httpStatus >= 200 && httpStatus < 300 && payload && payload.data) {
      if (payload.data.__schema) return { state: 'accepted', text: 'Token accepted; schema loaded. Every tab sends it.', payload: body, schema: true };
      return { state: 'accepted', text: 'Token accepted. Every tab sends it. Introspection is off on this server, so there are no docs or autocompletion.', payload: body };
    }
    if (httpStatus === 401) return { state: 'rejected', text: 'Token rejected: ' + said + code + '. No schema loaded.', payload: body };
    if (httpStatus === 403) return { state: 'forbidden', text: 'Token accepted, but ' + said + code + '. No schema loaded.', payload: body };
    return { state: 'error', text: 'The API answered HTTP ' + httpStatus + ': ' + said + code + '. No schema loaded.', payload: body };
  }

  function checkBody() {
    return config.introspection ? { query: config.introspectionQuery, operationName: 'IntrospectionQuery' } : { query: '{ __typename }' };
  }

  function fetcherFor(authorization, generation, primed) {
    var first = primed;
    return function (params, options) {
      if (params.operationName === 'IntrospectionQuery' && authorization) {
        if (first) {
          var payload = first;
          first = null;
          return Promise.resolve(payload);
        }
        // GraphiQL's Re-fetch: ask again with the page's token and say what the API answered.
        return check(authorization, { query: params.query, operationName: params.operationName }).then(function (outcome) {
          if (generation === current.generation) show(outcome.state, outcome.text);
          return outcome.payload;
        });
      }
      var own = (options && options.headers) || {};
      var headers = {};
      var tabHasAuthorization = false;
      Object.keys(own).forEach(function (name) {
        headers[name] = own[name];
        if (name.toLowerCase() === 'authorization') tabHasAuthorization = true;
      });
      // Set once, under one spelling: two spellings would be joined into one invalid header.
      if (authorization && !tabHasAuthorization) headers.Authorization = authorization;
      return baseFetcher(params, Object.assign({}, options, { headers: headers }));
    };
  }

  function apply(authorization) {
    var generation = ++current.generation;
    writeStored(authorization);
    current.fetcher = fetcherFor(authorization, generation, null);
    current.schema = null;
    render();
    if (!authorization) {
      show('none', 'No token set: requests go without Authorization. Set one above to authorize every tab and load the schema.');
      return Promise.resolve();
    }
    show('checking', 'Checking the token…');
    return check(authorization, checkBody()).then(function (outcome) {
      if (generation !== current.generation) return;
      show(outcome.state, outcome.text);
      if (!outcome.schema) return;
      current.fetcher = fetcherFor(authorization, generation, outcome.payload);
      current.schema = undefined;
      render();
    });
  }

  function applyField() {
    var authorization = toAuthorization(input.value);
    if (authorization === undefined) {
      show('invalid', 'That token has characters an HTTP header cannot carry (line breaks or non-ASCII); nothing was sent.');
      return;
    }
    apply(authorization);
  }

  document.getElementById('authtrail-apply').addEventListener('click', applyField);
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter') applyField();
  });
  document.getElementById('authtrail-forget').addEventListener('click', function () {
    input.value = '';
    apply(null);
  });

  var stored = readStored();
  input.value = stored || '';
  apply(stored ? toAuthorization(stored) : null);
})();
`;
