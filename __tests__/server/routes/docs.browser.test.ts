import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TokenVerifier } from 'livekit-server-sdk';
import { createApp } from '../../../server/src/app';
import type { OpenApiDocument } from '../../../server/src/openapi/types';
import {
  describeWithBrowser,
  launchChromium,
  listenOnLoopback,
  type LoopbackServer,
} from '../../support/browser';
import { TEST_API_KEY, TEST_API_SECRET, testConfig } from '../../support/fixtures';

/** The LIVEKIT_URL the server is configured with, and hands to clients. */
const LIVEKIT_URL = 'wss://livekit.example.test';

/** The token request typed into the reference's "send request" panel. */
const TOKEN_REQUEST = {
  user_email: 'ada@example.com',
  full_name: 'Ada Lovelace',
  room_name: 'physics-101',
};

/**
 * Longest one step on the reference's page may take, in milliseconds: Scalar's 3.5 MB
 * bundle is parsed and the whole document rendered on the page's one thread, which takes
 * seconds on a busy 2-core machine, against milliseconds for the other browser tests' pages.
 */
const DOCS_STEP_TIMEOUT_MS = 20_000;

/** Longest one test may take: a few such steps. */
const DOCS_TEST_TIMEOUT_MS = 60_000;

const describeInBrowser = describeWithBrowser();

describeInBrowser('GET /docs in headless Chromium', () => {
  const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);
  let tokenServer: LoopbackServer;
  let document: OpenApiDocument;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Every request the server received, as `<method> <path>`. */
  let received: string[];
  /** Every URL the page asked for, wherever it points. */
  let pageRequests: string[];
  /** The page's console errors, CSP violations among them. */
  let consoleErrors: string[];

  beforeAll(async () => {
    const app = createApp(testConfig({ LIVEKIT_URL }));
    document = app.locals.openapi as OpenApiDocument;
    tokenServer = await listenOnLoopback((req, res) => {
      received.push(`${req.method} ${req.url}`);
      app(req, res);
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await tokenServer?.close();
  });

  beforeEach(async () => {
    received = [];
    pageRequests = [];
    consoleErrors = [];
    context = await browser.newContext();
    context.setDefaultTimeout(DOCS_STEP_TIMEOUT_MS);
    page = await context.newPage();
    page.on('request', (request) => pageRequests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${tokenServer.url}/docs`);
  });

  afterEach(async () => {
    await context?.close();
  });

  it(
    'lists every route of /openapi.json, with assets from the server alone',
    async () => {
      const summaries = Object.values(document.paths).flatMap((operations) =>
        Object.values(operations).map((operation) => operation.summary),
      );
      expect(summaries).toContain('Mint a join token');
      for (const summary of summaries) {
        await page.getByRole('heading', { name: summary, exact: true }).waitFor();
      }
      expect(received).toEqual(
        expect.arrayContaining([
          'GET /docs',
          'GET /docs/assets/scalar.js',
          'GET /docs/assets/start.js',
          'GET /openapi.json',
        ]),
      );
      const elsewhere = pageRequests.filter(
        (url) => !url.startsWith(`${tokenServer.url}/`) && !url.startsWith('data:'),
      );
      expect(elsewhere).toEqual([]);
      expect(consoleErrors).toEqual([]);
    },
    DOCS_TEST_TIMEOUT_MS,
  );

  it(
    "sends POST /token with the reference's own send-request panel and shows 200",
    async () => {
      const heading = page.getByRole('heading', { name: 'Mint a join token', exact: true });
      await heading.waitFor();
      const operation = page.locator('section').filter({ has: heading });
      await operation.getByRole('button', { name: /Test Request/ }).click();
      const panel = page.getByRole('dialog');
      // The body editor opens with the document's example request, which names user_email.
      const body = panel.getByRole('textbox').filter({ hasText: 'user_email' });
      await body.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(JSON.stringify(TOKEN_REQUEST));
      // The panel takes the editor's text a moment later: once its code snippet shows the new
      // room beside the editor, "send" sends what was typed.
      await panel.getByRole('button', { name: /Code Snippet/ }).click();
      await panel
        .getByText(/physics-101/)
        .nth(1)
        .waitFor();
      await panel.getByRole('button', { name: /^Send post request/ }).click();

      await panel.getByText('200 OK').waitFor();
      const shown = await panel.innerText();
      expect(shown).toContain('"room_name": "physics-101"');
      expect(received).toContain('POST /token');
      const token = /"token": "([\w.-]+)"/.exec(shown)?.[1];
      expect(token).toBeDefined();
      const claims = await verifier.verify(token ?? '');
      expect(claims).toMatchObject({ sub: 'ada@example.com', name: 'Ada Lovelace' });
      expect(consoleErrors).toEqual([]);
    },
    DOCS_TEST_TIMEOUT_MS,
  );
});
