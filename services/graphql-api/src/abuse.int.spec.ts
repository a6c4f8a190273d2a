// Query abuse and access control over real HTTP: every refusal is a coded error (or a plain
// HTTP status before GraphQL runs), never a 500 and never data.
import { createTestDatabase } from '@authtrail/testing';
import { encodeCursor } from './pagination/cursor';
import { openReadSession } from '@authtrail/read-model';
import { COUNTS, NOW, loadStandardDataset, type StandardDataset } from './testdata/standard-dataset';
import { startTestApi, type TestApi } from './testdata/test-api.fixture';

let api: TestApi;
let data: StandardDataset;

beforeAll(async () => {
  const url = await createTestDatabase('graphql_abuse');
  data = await loadStandardDataset(url);
  const { fingerprinter } = data.environment;
  // Credential fingerprints, but no username hashing: `claimedUsername` is NOT_CONFIGURED here.
  api = await startTestApi(url, {
    now: () => NOW,
    limits: { maxDepth: 6, maxAliases: 10, maxComplexity: 3_000, maxPageSize: 500 },
    fingerprint: (secret) => fingerprinter.fingerprint(secret),
  });
}, 120_000);

afterAll(async () => {
  await api?.close();
  data?.close();
});

const codes = (body: { errors?: readonly { extensions?: { code?: string } }[] }) => (body.errors ?? []).map((e) => e.extensions?.code);

describe('caller authentication and authorization', () => {
  it.each([
    ['no Authorization header is 401 with WWW-Authenticate', null, 401, 'UNAUTHENTICATED'],
    ['an unknown bearer token is 401', 'not-a-known-token', 401, 'UNAUTHENTICATED'],
  ])('%s', async (_name, token, status, code) => {
    const response = await api.gql('{ policy { version } }', {}, token);
    expect(response.status).toBe(status);
    expect(codes(response.body)).toEqual([code]);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="authtrail"/);
    expect(response.body.data).toBeUndefined();
  });

  it('an authenticated caller in neither viewer nor admin group is 403 FORBIDDEN', async () => {
    const response = await api.gql('{ policy { version } }', {}, api.tokens.outsider);
    expect(response.status).toBe(403);
    expect(codes(response.body)).toEqual(['FORBIDDEN']);
  });

  it('the 401 arrives before the body is parsed: garbage JSON from an anonymous caller is 401, not 400', async () => {
    const response = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(response.status).toBe(401);
  });

  it('a viewer may query', async () => {
    const response = await api.gql<{ decisions: { totalCount: number } }>('{ decisions { totalCount } }', {}, api.tokens.viewer);
    expect(response.status).toBe(200);
    expect(response.body.data?.decisions.totalCount).toBe(COUNTS.total);
  });

  it.each([
    ['credentialFingerprint', '{ credentialFingerprint(secret: "s3cret") }'],
    ['applyPolicy', 'mutation { applyPolicy(document: "strategies: {}", expectedVersion: 0) { version } }'],
    ['revokeCredential', 'mutation { revokeCredential(input: { jti: "abc" }) { id } }'],
    ['liftRevocation', 'mutation { liftRevocation(id: "r-1") { id } }'],
  ])('a viewer may not call the admin field %s (FORBIDDEN, no data)', async (_field, query) => {
    const response = await api.gql(query, {}, api.tokens.viewer);
    expect(codes(response.body)).toEqual(['FORBIDDEN']);
    expect(response.body.data ?? null).toBeNull();
    expect(JSON.stringify(response.body)).not.toContain('s3cret');
  });

  it('an admin may fingerprint a secret, and the secret does not appear in the answer', async () => {
    const response = await api.gql<{ credentialFingerprint: string }>('query($s: String!) { credentialFingerprint(secret: $s) }', { s: 'a-secret-token' }, api.tokens.admin);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.credentialFingerprint).toBe(data.environment.fingerprinter.fingerprint('a-secret-token'));
    expect(JSON.stringify(response.body)).not.toContain('a-secret-token');
  });

  it.each([
    ['filter.claimedUsername', '{ authFailures(filter: { claimedUsername: "alice" }) { totalCount } }'],
    ['failureStats(usernames:)', '{ failureStats(since: "2026-11-28T00:00:00Z", groupBy: USERNAME, usernames: ["alice"]) { key } }'],
  ])('%s without a username-hash key answers NOT_CONFIGURED to an admin', async (_name, query) => {
    const response = await api.gql(query, {}, api.tokens.admin);
    expect(codes(response.body)).toEqual(['NOT_CONFIGURED']);
  });

  it('mutations without a configured publisher answer NOT_CONFIGURED to an admin', async () => {
    const response = await api.gql('mutation { revokeCredential(input: { jti: "abc" }) { id } }', {}, api.tokens.admin);
    expect(codes(response.body)).toEqual(['NOT_CONFIGURED']);
  });
});

describe('query limits', () => {
  const aliasBomb = `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: decisions(first: 1) { totalCount }`).join(' ')} }`;
  const deep = '{ identities { edges { node { credentials { identity { credentials { identity { credentials { fingerprint } } } } } } } } }';
  const fragmentDeep = `fragment C on Credential { identity { credentials { identity { credentials { identity { username } } } } } }
    { credentials { edges { node { ...C } } } }`;
  const complex = '{ identities(first: 500) { edges { node { credentials { fingerprint identity { username groups } } } } } }';

  it.each([
    ['a too-deep query', deep, {}, 'QUERY_TOO_DEEP', 400],
    ['a too-deep query hidden in a fragment', fragmentDeep, {}, 'QUERY_TOO_DEEP', 400],
    ['an alias bomb', aliasBomb, {}, 'TOO_MANY_ALIASES', 400],
    ['an oversized page', '{ decisions(first: 501) { totalCount } }', {}, 'PAGE_SIZE_TOO_LARGE', 200],
    ['an oversized page through a variable', 'query($n: Int) { authFailures(first: $n) { totalCount } }', { n: 10_000 }, 'PAGE_SIZE_TOO_LARGE', 200],
    ['a negative page size', '{ decisions(first: -1) { totalCount } }', {}, 'BAD_USER_INPUT', 200],
    ['too many failure groups', '{ failureStats(since: "2026-11-28T00:00:00Z", groupBy: REASON, limit: 100000) { key } }', {}, 'PAGE_SIZE_TOO_LARGE', 200],
    ['a query whose estimated cost is too high', complex, {}, 'QUERY_TOO_COMPLEX', 400],
    ['a malformed CIDR', '{ decisions(filter: { sourceIp: "10.0.0.0/33" }) { totalCount } }', {}, 'BAD_USER_INPUT', 200],
    ['an address that is not IP', '{ decisions(filter: { sourceIp: "localhost" }) { totalCount } }', {}, 'BAD_USER_INPUT', 200],
    ['an inverted time range', '{ decisions(filter: { time: { from: "2026-11-28T12:00:00Z", to: "2026-11-28T11:00:00Z" } }) { totalCount } }', {}, 'BAD_USER_INPUT', 200],
    ['a DateTime without offset', '{ decisions(filter: { time: { from: "2026-11-28 12:00" } }) { totalCount } }', {}, 'BAD_USER_INPUT', 400],
    ['an auditIntegrity window that ends before it starts', '{ auditIntegrity(from: "2026-11-28T12:00:00Z", to: "2026-11-28T11:00:00Z") { ok } }', {}, 'BAD_USER_INPUT', 200],
    ['an auditIntegrity bound that is not a date', 'query($from: DateTime!) { auditIntegrity(from: $from, to: "2026-11-28T11:00:00Z") { ok } }', { from: 'yesterday' }, 'BAD_USER_INPUT', 400],
    ['a garbage cursor', '{ decisions(after: "!!!") { totalCount } }', {}, 'INVALID_CURSOR', 200],
    ['a cursor of another connection', `{ decisions(after: "${encodeCursor('credential', new Date(), 'x')}") { totalCount } }`, {}, 'INVALID_CURSOR', 200],
    ['an unknown field', '{ nope }', {}, 'GRAPHQL_VALIDATION_FAILED', 400],
    ['a syntax error', '{ decisions { ', {}, 'GRAPHQL_PARSE_FAILED', 400],
    ['introspection when disabled', '{ __schema { types { name } } }', {}, 'GRAPHQL_VALIDATION_FAILED', 400],
  ])('%s is refused with a coded error', async (_name, query, variables, code, status) => {
    const response = await api.gql(query, variables, api.tokens.viewer);
    expect(codes(response.body)).toContain(code);
    expect(response.status).toBe(status);
  });

  it('a batched request (JSON array) is refused: batching is off', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.tokens.viewer}` },
      body: JSON.stringify([{ query: '{ policy { version } }' }, { query: '{ policy { version } }' }]),
    });
    expect(response.status).toBe(400);
  });

  it('an operationName that names no operation of the document is a coded 400, not an internal error', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.tokens.viewer}` },
      body: JSON.stringify({ query: 'query Policy { policy { version } }', operationName: 'Identities' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect({ codes: codes(body as never), message: body.errors[0]?.message }).toEqual({ codes: ['OPERATION_RESOLUTION_FAILURE'], message: expect.stringContaining('Identities') });
  });

  it('a simple-request GET without the CSRF header is refused (csrfPrevention)', async () => {
    const response = await fetch(`${api.url}/graphql?query=${encodeURIComponent('{ policy { version } }')}`, { headers: { authorization: `Bearer ${api.tokens.viewer}` } });
    expect(response.status).toBe(400);
  });

  it('an oversized body is a 413 with a coded error, not a crash', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.tokens.viewer}` },
      body: JSON.stringify({ query: `{ policy { version } } #${'x'.repeat(300 * 1024)}` }),
    });
    expect(response.status).toBe(413);
    expect(codes((await response.json()) as never)).toEqual(['BAD_REQUEST']);
  });

  it('a read session enforces statement_timeout: a slow statement is cancelled with SQLSTATE 57014', async () => {
    const session = openReadSession(api.db, { statementTimeoutMs: 50 });
    try {
      await expect(session.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ driverError: { code: '57014' } });
    } finally {
      await session.release();
    }
    // The timeout was SET LOCAL: the pooled connection is back to no timeout.
    const rows = await api.db.query<{ statement_timeout: string }[]>('SHOW statement_timeout');
    expect(rows[0]?.statement_timeout).toBe('0');
  });

  it('the playground and health endpoints are public; the playground is served with a strict CSP', async () => {
    const page = await fetch(`${api.url}/playground`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    for (const asset of ['graphiql.min.js', 'graphiql.min.css', 'react.production.min.js', 'react-dom.production.min.js', 'playground.js']) {
      const response = await fetch(`${api.url}/playground/assets/${asset}`);
      expect(response.status).toBe(200);
      // Read to the end: an unread multi-megabyte body keeps its connection busy, and closing
      // the server would wait for it.
      await response.arrayBuffer();
    }
    expect((await fetch(`${api.url}/playground/assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
  });
});

describe('secrets stay out of the logs', () => {
  it('a secret sent to credentialFingerprint or claimedUsername (POST variables, inline, or a GET query string) is in no log line, at trace level', async () => {
    const { Writable } = await import('node:stream');
    const pino = (await import('pino')).default;
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logged = await startTestApi(await createTestDatabase('graphql_logs'), {
      logger: pino({ level: 'trace' }, sink),
      fingerprint: () => 'hmac-sha256:test:00',
      usernameHashes: () => ['hmac-sha256-username:test:00'],
    });
    try {
      const secret = `tok-${Math.random().toString(36).slice(2)}-secret`;
      await logged.gql('query($s: String!) { credentialFingerprint(secret: $s) }', { s: secret }, logged.tokens.admin);
      await logged.gql(`{ credentialFingerprint(secret: "${secret}") }`, {}, logged.tokens.viewer);
      await logged.gql(`{ credentialFingerprint(secret: "${secret}") nope }`, {}, logged.tokens.admin);
      await fetch(`${logged.url}/graphql?query=${encodeURIComponent(`{ credentialFingerprint(secret: "${secret}") }`)}`, {
        headers: { authorization: `Bearer ${logged.tokens.admin}`, 'apollo-require-preflight': '1' },
      });
      await logged.gql('{ policy { version } }', {}, secret);
      // A name asked about may be a password typed as a username: hashed, never logged.
      await logged.gql('query($n: String) { authFailures(filter: { claimedUsername: $n }) { totalCount } }', { n: secret }, logged.tokens.admin);
      await logged.gql(`{ authFailures(filter: { claimedUsername: "${secret}" }) { totalCount } }`, {}, logged.tokens.viewer);
      await logged.gql('query($n: [String!]) { failureStats(since: "2026-11-28T00:00:00Z", groupBy: USERNAME, usernames: $n) { key } }', { n: [secret] }, logged.tokens.admin);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toContain(secret);
      expect(lines.join('\n')).not.toContain(logged.tokens.admin);
    } finally {
      await logged.close();
    }
  });
});
