// Headless Chromium (Debian's /usr/bin/chromium via playwright-core) opens the self-hosted
// playground, sets the Authorization header, runs a query and sees its result. Every request
// the page makes must go to the API itself (it works offline); the screenshot is kept under
// artifacts/ (git-ignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createTestDatabase } from '@authtrail/testing';
import { COUNTS, loadStandardDataset, type StandardDataset } from '../testdata/standard-dataset';
import { startTestApi, type TestApi } from '../testdata/test-api.fixture';

// Runs inside the page (playwright evaluate); jest's tsconfig has no DOM lib.
declare const document: { querySelector(selector: string): unknown };

const ARTIFACTS = join(__dirname, '../../../../artifacts/graphql-api');

let api: TestApi;
let data: StandardDataset;
let browser: Browser;

beforeAll(async () => {
  const url = await createTestDatabase('graphql_playground');
  data = await loadStandardDataset(url);
  api = await startTestApi(url, { introspection: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  data?.close();
});

it('runs a query from the playground with the Authorization header set in its Headers tab', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const foreign: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(api.url) && !request.url().startsWith('data:')) foreign.push(request.url());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(`${api.url}/playground`);
  await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });

  // A query whose answer we know, typed into the active tab's query editor.
  const query = '{ authFailures(first: 3, filter: { sourceIp: "192.168.1.0/24" }) { totalCount edges { node { reason sourceIp } } } }';
  // The Headers tab is open by default (defaultEditorToolsVisibility: 'headers'). GraphiQL may
  // still be restoring its tab state right after load, so set-and-run is retried (bounded).
  const result = page.locator('.result-window');
  const header = JSON.stringify({ Authorization: `Bearer ${api.tokens.viewer}` });
  let answered = false;
  for (let attempt = 0; attempt < 3 && !answered; attempt += 1) {
    await page.evaluate((text) => {
      const editor = document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as { CodeMirror: { setValue(v: string): void } };
      editor.CodeMirror.setValue(text);
    }, query);
    await page.evaluate((text) => {
      const editor = document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror') as unknown as { CodeMirror: { setValue(v: string): void } } | null;
      if (!editor) throw new Error('headers editor not found');
      editor.CodeMirror.setValue(text);
    }, header);
    await page.locator('.graphiql-execute-button').click();
    answered = await result
      .getByText(`"totalCount": ${COUNTS.from192_168_1}`)
      .waitFor({ timeout: 10_000 })
      .then(() => true, () => false);
  }
  expect(answered).toBe(true);
  expect(await result.innerText()).toContain('"sourceIp": "192.168.1.51"');

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });
  expect(foreign).toEqual([]);
  expect(pageErrors).toEqual([]);
  await page.close();
});

it('without the header the playground shows the coded 401 answer', async () => {
  const page = await browser.newPage();
  await page.goto(`${api.url}/playground`);
  await page.locator('.graphiql-container').waitFor({ timeout: 30_000 });
  await page.evaluate(() => {
    const editor = document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror') as unknown as { CodeMirror: { setValue(v: string): void } } | null;
    editor?.CodeMirror.setValue('{}');
  });
  await page.locator('.graphiql-execute-button').click();
  await page.locator('.result-window').getByText('UNAUTHENTICATED').waitFor({ timeout: 30_000 });
  await page.close();
});
