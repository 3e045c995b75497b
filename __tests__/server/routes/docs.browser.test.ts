import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { TokenVerifier } from 'livekit-server-sdk';
import { createApp, openApiDocumentOf } from '../../../server/src/app';
import type { JsonSchema, OpenApiDocument, Operation } from '../../../server/src/openapi/types';
import {
  describeWithBrowser,
  launchChromium,
  listenOnLoopback,
  type LoopbackServer,
} from '../../support/browser';
import { TEST_API_KEY, TEST_API_SECRET, testConfig } from '../../support/fixtures';

/** The LIVEKIT_URL the server is configured with, and hands to clients. */
const LIVEKIT_URL = 'wss://livekit.example.test';

/** The token request typed into the reference's "Try it out" panel. */
const TOKEN_REQUEST = {
  user_email: 'ada@example.com',
  full_name: 'Ada Lovelace',
  room_name: 'physics-101',
};

/**
 * Longest one step on the reference's page may take, in milliseconds: Swagger UI's 1.7 MB
 * bundle is parsed and the whole document rendered on the page's one thread, which takes
 * seconds on a busy 2-core machine, against milliseconds for the other browser tests' pages.
 */
const DOCS_STEP_TIMEOUT_MS = 20_000;

/** Longest one test may take: a few such steps. */
const DOCS_TEST_TIMEOUT_MS = 60_000;

/** Every documented operation, with its method and path. */
function operationsOf(
  document: OpenApiDocument,
): Array<{ method: string; path: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({ method, path, operation })),
  );
}

/** The JSON Schema of an operation's request body, if it has one. */
/** A field's type as Swagger UI shows it: `integer`, or `integer | null` for a choice. */
function shownType(schema: JsonSchema): string {
  const choices = schema.anyOf as JsonSchema[] | undefined;
  if (schema.type === undefined && choices !== undefined) {
    // Joi's valid(null) becomes `{ const: null }` (or an enum of it): Swagger UI says null.
    return choices.map((choice) => String(choice.type ?? 'null')).join(' | ');
  }
  return String(schema.type);
}

function bodySchemaOf(operation: Operation): JsonSchema | undefined {
  return operation.requestBody?.content['application/json']?.schema;
}

/** The limits Swagger UI shows beside a field, as it words them. */
function shownLimits(schema: JsonSchema): string[] {
  const limits: string[] = [];
  const { minLength, maxLength, minimum, maximum, maxItems, pattern } = schema;
  if (typeof maxLength === 'number') {
    limits.push(
      typeof minLength === 'number'
        ? `[${minLength}, ${maxLength}] characters`
        : `≤ ${maxLength} characters`,
    );
  }
  if (typeof minimum === 'number' && typeof maximum === 'number') {
    limits.push(`[${minimum}, ${maximum}]`);
  }
  if (typeof maxItems === 'number') limits.push(`≤ ${maxItems} items`);
  if (typeof pattern === 'string') limits.push(`matches ${pattern}`);
  return limits;
}

/** The first words of a description, before any Markdown the UI would render. */
function plainStart(description: string): string {
  return (description.split(/[`*_[]/, 1)[0] ?? '').slice(0, 60).trim();
}

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

  /** The operation block of the reference for one summary, opened. */
  async function openOperation(summary: string): Promise<Locator> {
    const block = page.locator('.opblock').filter({
      has: page.locator('.opblock-summary-description', { hasText: summary }),
    });
    await block.locator('.opblock-summary').click();
    await block.locator('.opblock-body').waitFor();
    return block;
  }

  beforeAll(async () => {
    const app = createApp(testConfig({ LIVEKIT_URL }));
    document = openApiDocumentOf(app) as OpenApiDocument;
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
      const summaries = operationsOf(document).map(({ operation }) => operation.summary);
      expect(summaries).toContain('Mint a join token');
      for (const summary of summaries) {
        await page.locator('.opblock-summary-description', { hasText: summary }).waitFor();
      }
      expect(received).toEqual(
        expect.arrayContaining([
          'GET /docs',
          expect.stringMatching(/^GET \/docs\/assets\/swagger-ui\.[\w-]+\.js$/),
          expect.stringMatching(/^GET \/docs\/assets\/swagger-ui\.[\w-]+\.css$/),
          expect.stringMatching(/^GET \/docs\/assets\/start\.[\w-]+\.js$/),
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
    'shows each body field of each route with its type, limits and description',
    async () => {
      const withBodies = operationsOf(document).filter(({ operation }) => bodySchemaOf(operation));
      expect(withBodies.map(({ path }) => path)).toEqual(
        expect.arrayContaining(['/token', '/connection-details', '/validate']),
      );
      for (const { operation } of withBodies) {
        const block = (await openOperation(operation.summary)).locator(
          '.opblock-section-request-body',
        );
        // Shown first (defaultModelRendering), rather than an example value.
        await block.getByRole('tab', { name: 'Schema' }).click();
        const properties = (bodySchemaOf(operation)?.properties ?? {}) as Record<
          string,
          JsonSchema
        >;
        expect(Object.keys(properties).length).toBeGreaterThan(0);
        for (const [name, schema] of Object.entries(properties)) {
          const field = block
            .locator('article[data-json-schema-level="1"]')
            .filter({
              has: page.locator(':scope > div .json-schema-2020-12__title', {
                hasText: new RegExp(`^${name}$`),
              }),
            })
            .first();
          const head = field.locator(':scope > .json-schema-2020-12-head');
          const shown = {
            field: `${operation.summary}: ${name}`,
            type: await head.locator('.json-schema-2020-12__attribute--primary').innerText(),
            limits: await head.locator('.json-schema-2020-12__constraint').allInnerTexts(),
            description: await field
              .locator(
                ':scope > .json-schema-2020-12-body > .json-schema-2020-12-keyword--description',
              )
              .innerText(),
          };
          expect(shown).toEqual({
            field: `${operation.summary}: ${name}`,
            type: expect.stringContaining(shownType(schema)),
            limits: expect.arrayContaining(shownLimits(schema)),
            description: expect.stringContaining(plainStart(String(schema.description))),
          });
        }
      }
      expect(consoleErrors).toEqual([]);
    },
    DOCS_TEST_TIMEOUT_MS * 2,
  );

  it(
    'sends POST /token with "Try it out" and shows 200 with a token LiveKit accepts',
    async () => {
      const block = await openOperation('Mint a join token');
      await block.getByRole('button', { name: 'Try it out' }).click();
      const body = block.locator('textarea.body-param__text');
      await body.fill(JSON.stringify(TOKEN_REQUEST));
      await block.getByRole('button', { name: 'Execute' }).click();
      const answer = block.locator('.live-responses-table .response');
      await answer.locator('.response-col_status', { hasText: '200' }).waitFor();
      const shown = await answer.locator('.response-col_description pre').first().innerText();
      expect(received).toContain('POST /token');
      const answered = JSON.parse(shown) as { token: string; room_name: string };
      expect(answered.room_name).toBe('physics-101');
      const claims = await verifier.verify(answered.token);
      expect(claims).toMatchObject({ sub: 'ada@example.com', name: 'Ada Lovelace' });
      expect(consoleErrors).toEqual([]);
    },
    DOCS_TEST_TIMEOUT_MS,
  );
});
