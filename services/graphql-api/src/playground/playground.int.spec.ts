// Headless Chromium (Debian's /usr/bin/chromium via playwright-core) opens the self-hosted
// playground of a real API. The Authorization is set once, in the field above the editor, and
// every GraphiQL tab uses it; the schema loads as soon as it is set. A wrong token says why and
// loads no schema. The token stays in the browser tab's session: never in a URL, localStorage,
// the console or the page the server sends. Every request the page makes goes to the API itself
// (it works offline); the screenshot is kept under artifacts/ (git-ignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestDatabase, type PlannedRequest } from '@authtrail/testing';
import { COUNTS, CURL, loadStandardDataset, type StandardDataset } from '../testdata/standard-dataset';
import { fillReadModel } from '../testdata/traffic.fixture';
import { startTestApi, type TestApi } from '../testdata/test-api.fixture';

// Runs inside the page (playwright evaluate); jest's tsconfig has no DOM lib.
interface CodeMirrorHost {
  CodeMirror: { setValue(value: string): void; getValue(): string };
}
declare const document: { querySelector(selector: string): unknown; querySelectorAll(selector: string): { length: number } };
declare const localStorage: { length: number; key(index: number): string | null; getItem(key: string): string | null };
declare const sessionStorage: { getItem(key: string): string | null };

const ARTIFACTS = join(__dirname, '../../../../artifacts/graphql-api');
const FROM_NETWORK = '{ authFailures(first: 3, filter: { sourceIp: "192.168.1.0/24" }) { totalCount edges { node { reason sourceIp } } } }';
const ALL_DECISIONS = '{ decisions(first: 1) { totalCount } }';

let databaseUrl: string;
let api: TestApi;
let closedApi: TestApi;
let data: StandardDataset;
let browser: Browser;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('graphql_playground');
  data = await loadStandardDataset(databaseUrl);
  api = await startTestApi(databaseUrl, { introspection: true });
  closedApi = await startTestApi(databaseUrl, { introspection: false }, { migrate: false });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await closedApi?.close();
  await api?.close();
  data?.close();
});

interface SeenRequest {
  readonly url: string;
  readonly method: string;
  readonly authorization: string | undefined;
  readonly body: string | null;
}

interface Watched {
  readonly page: Page;
  readonly requests: SeenRequest[];
  readonly console: string[];
  readonly errors: string[];
  /** Body of every /playground document the server sent. */
  readonly documents: string[];
}

/** A fresh browser context (its own session) on the playground, with everything it does recorded. */
async function openPlayground(base: string): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const watched: Watched = { page, requests: [], console: [], errors: [], documents: [] };
  page.on('request', (request) => watched.requests.push({ url: request.url(), method: request.method(), authorization: request.headers()['authorization'], body: request.postData() }));
  page.on('console', (message) => watched.console.push(message.text()));
  page.on('pageerror', (error) => watched.errors.push(error.message));
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/playground') void response.text().then((text) => watched.documents.push(text), () => undefined);
  });
  await page.goto(`${base}/playground`);
  await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
  return watched;
}

const graphqlPosts = (watched: Watched) => watched.requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/graphql');

async function setToken(page: Page, value: string): Promise<void> {
  await page.locator('#authtrail-token').fill(value);
  await page.locator('#authtrail-apply').click();
}

/** Waits until the status line leaves "checking" and returns its state and text. */
async function settledStatus(page: Page): Promise<{ state: string | null; text: string }> {
  const status = page.locator('#authtrail-status[data-state]:not([data-state="checking"])');
  await status.waitFor({ timeout: 15_000 });
  return { state: await status.getAttribute('data-state'), text: await status.innerText() };
}

async function resultText(page: Page): Promise<string> {
  return page.evaluate(() => (document.querySelector('.result-window .CodeMirror') as CodeMirrorHost | null)?.CodeMirror.getValue() ?? '');
}

/**
 * Types `query` into the active tab, runs it and returns the result once it contains `expected`.
 * Right after a programmatic edit GraphiQL may still send the previous operation's name (it
 * updates it on a short debounce; a person typing never outruns it), which the API refuses, so a
 * run whose answer lacks `expected` is repeated (bounded); the last answer is returned either way.
 */
/**
 * Puts `query` in the editor, empties the result, and waits until GraphiQL has taken the query in:
 * its change handler (debounced 100 ms) stores the text and the operation name it parsed. A click
 * before that runs the previous operation name against the new text, and fails at once.
 */
async function setQuery(page: Page, query: string): Promise<void> {
  await page.evaluate((value) => {
    (document.querySelector('.graphiql-query-editor .CodeMirror') as CodeMirrorHost).CodeMirror.setValue(value);
    (document.querySelector('.result-window .CodeMirror') as CodeMirrorHost).CodeMirror.setValue('');
  }, query);
  await page.waitForFunction((value) => localStorage.getItem('graphiql:query') === value, query, { timeout: 5_000 });
}

async function runInActiveTab(page: Page, query: string, expected: string): Promise<string> {
  let text = '';
  for (let attempt = 0; attempt < 3 && !text.includes(expected); attempt += 1) {
    await setQuery(page, query);
    await page.locator('.graphiql-execute-button').click();
    await page.waitForFunction(() => ((document.querySelector('.result-window .CodeMirror') as CodeMirrorHost | null)?.CodeMirror.getValue() ?? '') !== '', undefined, { timeout: 10_000 });
    text = await resultText(page);
  }
  return text;
}

async function openDocs(page: Page): Promise<void> {
  const button = page.locator('button[aria-label="Show Documentation Explorer"]');
  if (await button.count()) await button.click();
  await page.locator('.graphiql-doc-explorer').waitFor({ timeout: 10_000 });
}

async function localStorageText(page: Page): Promise<string> {
  return page.evaluate(() => {
    let text = '';
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i) ?? '';
      text += `${key}=${localStorage.getItem(key) ?? ''}\n`;
    }
    return text;
  });
}

/** What the API itself answers for a credential (the page must pass its message on). */
async function refusalOf(token: string): Promise<{ status: number; message: string }> {
  const answer = await api.gql('{ __typename }', {}, token);
  return { status: answer.status, message: answer.body.errors?.[0]?.message ?? '' };
}

it('one token set above the editor authorizes every tab and loads the schema without a manual refetch', async () => {
  const token = api.tokens.viewer;
  const { page, ...watched } = await openPlayground(api.url);

  // Before a token: no schema, and a status that says what to do (not "Error fetching schema").
  expect((await settledStatus(page)).state).toBe('none');
  await openDocs(page);
  await page.locator('.graphiql-doc-explorer').getByText('No GraphQL schema available').waitFor({ timeout: 10_000 });

  await setToken(page, token);
  const status = await settledStatus(page);
  expect(status).toEqual({ state: 'accepted', text: expect.stringContaining('schema loaded') });
  // The schema is there: the docs explorer lists the root types and Query's fields.
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByText('Root Types').waitFor({ timeout: 10_000 });
  await docs.locator('a.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).first().click();
  await docs.getByText('authFailures', { exact: true }).first().waitFor({ timeout: 10_000 });
  // Loaded once, by setting the token: no second introspection request.
  expect(graphqlPosts({ page, ...watched }).filter((r) => r.body?.includes('IntrospectionQuery'))).toHaveLength(1);

  // First tab.
  const first = await runInActiveTab(page, FROM_NETWORK, `"totalCount": ${COUNTS.from192_168_1}`);
  expect(first).toContain(`"totalCount": ${COUNTS.from192_168_1}`);
  expect(first).toContain('"sourceIp": "192.168.1.51"');

  // A second tab, opened after the token was set: nothing to paste, it just works.
  const tabs = page.locator('.graphiql-tab');
  const before = await tabs.count();
  await page.locator('button[aria-label="Add tab"]').click();
  await page.waitForFunction((count) => document.querySelectorAll('.graphiql-tab').length === count, before + 1, { timeout: 10_000 });
  const second = await runInActiveTab(page, ALL_DECISIONS, `"totalCount": ${COUNTS.total}`);
  expect(second).toContain(`"totalCount": ${COUNTS.total}`);

  // Back to the first tab: still authorized.
  await tabs.first().locator('button.graphiql-tab-button').click();
  expect(await runInActiveTab(page, FROM_NETWORK, `"totalCount": ${COUNTS.from192_168_1}`)).toContain(`"totalCount": ${COUNTS.from192_168_1}`);
  expect(await page.getByText('Error fetching schema').count()).toBe(0);

  // GraphiQL's Re-fetch asks the API again, with the same token.
  const introspections = () => graphqlPosts({ page, ...watched }).filter((r) => r.body?.includes('IntrospectionQuery'));
  await page.locator('button[aria-label="Re-fetch GraphQL schema"]').click();
  for (let wait = 0; wait < 100 && introspections().length < 2; wait += 1) await page.waitForTimeout(100);
  expect(introspections()).toHaveLength(2);
  expect((await settledStatus(page)).state).toBe('accepted');
  // The explorer stays on Query (the type opened above) with the re-fetched schema.
  await docs.getByText('authFailures', { exact: true }).first().waitFor({ timeout: 10_000 });
  expect(await page.getByText(/Error fetching schema|No GraphQL schema available/).count()).toBe(0);

  // Every request to the API carried the one setting, as a bearer credential.
  const posts = graphqlPosts({ page, ...watched });
  expect(posts.length).toBeGreaterThanOrEqual(4);
  expect(new Set(posts.map((r) => r.authorization))).toEqual(new Set([`Bearer ${token}`]));

  // The token lives in this tab's session only.
  expect(await page.evaluate(() => sessionStorage.getItem('authtrail.playground.authorization'))).toBe(`Bearer ${token}`);
  expect(await localStorageText(page)).not.toContain(token);
  expect((await page.context().cookies()).map((c) => c.value).join('\n')).not.toContain(token);

  // A reload keeps it for this session: the schema loads again by itself, queries run.
  await page.reload();
  await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
  expect((await settledStatus(page)).state).toBe('accepted');
  await openDocs(page);
  await page.locator('.graphiql-doc-explorer').getByText('Root Types').waitFor({ timeout: 10_000 });
  expect(await runInActiveTab(page, ALL_DECISIONS, `"totalCount": ${COUNTS.total}`)).toContain(`"totalCount": ${COUNTS.total}`);

  // Never in a URL, the page the server sent, the console; the page itself is fetched without it.
  expect(watched.requests.filter((r) => r.url.includes(token))).toEqual([]);
  expect(watched.requests.filter((r) => new URL(r.url).pathname === '/playground').map((r) => r.authorization)).toEqual([undefined, undefined]);
  expect(watched.documents).toHaveLength(2);
  for (const html of watched.documents) expect(html).not.toContain(token);
  expect(watched.console.filter((line) => line.includes(token))).toEqual([]);
  expect(watched.requests.filter((r) => !r.url.startsWith(api.url) && !r.url.startsWith('data:')).map((r) => r.url)).toEqual([]);
  expect(watched.errors).toEqual([]);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });
  await page.close();

  // Another session (a new browser context) starts without it.
  const other = await openPlayground(api.url);
  expect((await settledStatus(other.page)).state).toBe('none');
  expect(graphqlPosts(other)).toEqual([]);
  await other.page.close();
});

it('a wrong token says the API refused it, loads no schema, and the right one then loads it', async () => {
  const wrong = randomBytes(16).toString('hex');
  const refusal = await refusalOf(wrong);
  expect(refusal.status).toBe(401);
  const { page, errors } = await openPlayground(api.url);

  await setToken(page, wrong);
  const status = await settledStatus(page);
  expect(status.state).toBe('rejected');
  expect(status.text).toContain(`Token rejected: ${refusal.message}`);
  expect(status.text).toContain('No schema loaded');
  await openDocs(page);
  await page.locator('.graphiql-doc-explorer').getByText('No GraphQL schema available').waitFor({ timeout: 10_000 });
  expect(await page.getByText('Error fetching schema').count()).toBe(0);
  expect(await runInActiveTab(page, ALL_DECISIONS, 'UNAUTHENTICATED')).toContain('UNAUTHENTICATED');

  // Fixed in place, without a reload.
  await setToken(page, api.tokens.viewer);
  expect((await settledStatus(page)).state).toBe('accepted');
  await page.locator('.graphiql-doc-explorer').getByText('Root Types').waitFor({ timeout: 10_000 });
  expect(await runInActiveTab(page, ALL_DECISIONS, `"totalCount": ${COUNTS.total}`)).toContain(`"totalCount": ${COUNTS.total}`);
  expect(errors).toEqual([]);
  await page.close();
});

it('a token of a caller in no API group is named as accepted but not allowed, with no schema', async () => {
  const refusal = await refusalOf(api.tokens.outsider);
  expect(refusal.status).toBe(403);
  const { page } = await openPlayground(api.url);
  await setToken(page, api.tokens.outsider);
  const status = await settledStatus(page);
  expect(status.state).toBe('forbidden');
  expect(status.text).toContain(refusal.message);
  await openDocs(page);
  await page.locator('.graphiql-doc-explorer').getByText('No GraphQL schema available').waitFor({ timeout: 10_000 });
  await page.close();
});

it('a value no HTTP header can carry is refused in the page, before anything is sent', async () => {
  const watched = await openPlayground(api.url);
  await settledStatus(watched.page);
  const sentBefore = graphqlPosts(watched).length;
  await setToken(watched.page, 'tökén-with-non-ascii');
  const status = await settledStatus(watched.page);
  expect(status.state).toBe('invalid');
  expect(status.text).toContain('nothing was sent');
  expect(graphqlPosts(watched)).toHaveLength(sentBefore);
  expect(await watched.page.evaluate(() => sessionStorage.getItem('authtrail.playground.authorization'))).toBeNull();
  await watched.page.close();
});

it('"Basic …" is sent as typed, and a tab\'s own Authorization header wins for that tab, sent once', async () => {
  const watched = await openPlayground(api.url);
  const { page } = watched;
  await setToken(page, `Bearer ${api.tokens.viewer}`);
  expect((await settledStatus(page)).state).toBe('accepted');
  // The outsider's token in this tab's Headers editor (lower-case name, as people type it).
  await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
  await page.evaluate((text) => {
    const editor = document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror') as CodeMirrorHost | null;
    if (!editor) throw new Error('headers editor not found');
    editor.CodeMirror.setValue(text);
  }, JSON.stringify({ authorization: `Bearer ${api.tokens.outsider}` }));
  expect(await runInActiveTab(page, ALL_DECISIONS, 'FORBIDDEN')).toContain('FORBIDDEN');
  const last = graphqlPosts(watched).at(-1);
  expect(last?.authorization).toBe(`Bearer ${api.tokens.outsider}`);

  // A whole header value with its own scheme is not wrapped in "Bearer".
  const basic = `Basic ${Buffer.from('nobody:nothing').toString('base64')}`;
  await setToken(page, basic);
  await settledStatus(page);
  expect(graphqlPosts(watched).at(-1)?.authorization).toBe(basic);
  await page.close();
});

it('with introspection off the token is still checked and used, and the page says why there are no docs', async () => {
  const { page } = await openPlayground(closedApi.url);
  await setToken(page, closedApi.tokens.viewer);
  const status = await settledStatus(page);
  expect(status.state).toBe('accepted');
  expect(status.text).toContain('Introspection is off');
  await openDocs(page);
  await page.locator('.graphiql-doc-explorer').getByText('No GraphQL schema available').waitFor({ timeout: 10_000 });
  expect(await runInActiveTab(page, ALL_DECISIONS, `"totalCount": ${COUNTS.total}`)).toContain(`"totalCount": ${COUNTS.total}`);
  await page.close();
});

it('without a token the playground shows the coded 401 answer', async () => {
  const { page } = await openPlayground(api.url);
  expect((await settledStatus(page)).state).toBe('none');
  expect(await runInActiveTab(page, ALL_DECISIONS, 'UNAUTHENTICATED')).toContain('UNAUTHENTICATED');
  await page.close();
});

// Last: it adds decisions to the dataset the tests above count.
it('a subscription in a tab streams live decisions with the same token (graphql-ws connectionParams, not the URL)', async () => {
  const token = api.tokens.viewer;
  const { page, errors } = await openPlayground(api.url);
  const sockets: { url: string; sent: string[] }[] = [];
  page.on('websocket', (socket) => {
    const seen = { url: socket.url(), sent: [] as string[] };
    sockets.push(seen);
    socket.on('framesent', (frame) => seen.sent.push(String(frame.payload)));
  });
  await setToken(page, token);
  expect((await settledStatus(page)).state).toBe('accepted');

  // Started once a socket opens (bounded retries, as in runInActiveTab).
  const subscription = 'subscription Live { decisions(filter: { sourceIp: "10.77.0.0/16" }) { sourceIp reason } }';
  for (let attempt = 0; attempt < 3 && sockets.length === 0; attempt += 1) {
    await setQuery(page, subscription);
    await page.locator('.graphiql-execute-button').click();
    await page
      .waitForFunction(() => ((document.querySelector('.result-window .CodeMirror') as CodeMirrorHost | null)?.CodeMirror.getValue() ?? '') !== '', undefined, { timeout: 3_000 })
      .catch(() => undefined);
  }
  expect(sockets).toHaveLength(1);

  // A request with no credentials from 10.77.1.1, through the real authn and projector; the feed
  // primes when the first subscriber arrives, so traffic is sent until one arrives (bounded).
  const request: PlannedRequest = { method: 'GET', url: '/v1/forward-auth', remoteAddress: '10.77.1.1', headers: { 'user-agent': CURL } };
  const streamed = () => resultText(page).then((text) => text.includes('"sourceIp": "10.77.1.1"'));
  for (let attempt = 0; attempt < 4 && !(await streamed()); attempt += 1) {
    await fillReadModel(databaseUrl, { configFile: join(data.environment.dir, 'authtrail.yaml'), boots: [{ requests: [request] }] }, data.environment);
    for (let wait = 0; wait < 20 && !(await streamed()); wait += 1) await page.waitForTimeout(100);
  }
  expect(await resultText(page)).toContain('"reason": "no_credentials"');

  // The credential went in the socket's connection_init, never in its URL.
  expect(sockets[0]?.url).toBe(`${api.url.replace(/^http/, 'ws')}/graphql`);
  const init = sockets[0]?.sent.map((frame) => JSON.parse(frame) as { type: string; payload?: Record<string, unknown> }).find((message) => message.type === 'connection_init');
  expect(init?.payload?.['Authorization']).toBe(`Bearer ${token}`);
  expect(errors).toEqual([]);
  await page.locator('.graphiql-execute-button').click();
  await page.close();
}, 120_000);
