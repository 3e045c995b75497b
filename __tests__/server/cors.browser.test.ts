import type { Browser } from 'playwright-core';
import { TokenVerifier } from 'livekit-server-sdk';
import { createApp } from '../../server/src/app';
import {
  corsBlockPattern,
  describeWithBrowser,
  fulfilled,
  launchChromium,
  listenOnLoopback,
  openSite,
  PREFLIGHT_REFUSED,
  startStaticSite,
  withinTimeout,
  type LoopbackServer,
  type OpenPage,
  type Settled,
} from '../support/browser';
import { TEST_API_KEY, TEST_API_SECRET, testConfig } from '../support/fixtures';

/** The LIVEKIT_URL the token server is configured with, and hands to clients. */
const LIVEKIT_URL = 'wss://livekit.example.test';

/** What a page's `fetch` of POST /token read from the answer. */
interface FetchedToken {
  status: number;
  /** X-Request-Id, readable only because the server exposes it (Access-Control-Expose-Headers). */
  requestId: string | null;
  body: { token?: string; identity?: string; room_name?: string };
}

/** POSTs a JSON body with the page's own `fetch`, as a web app calling /token would. */
function fetchTokenInPage(
  { page }: OpenPage,
  url: string,
  body: Record<string, string>,
): Promise<Settled<FetchedToken>> {
  return withinTimeout(
    `fetch(${url}) in the page`,
    page.evaluate(
      async ({ url, body }) => {
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          });
          const value = {
            status: response.status,
            requestId: response.headers.get('X-Request-Id'),
            body: await response.json(),
          };
          return { ok: true as const, value };
        } catch (error) {
          const { name, message } = error as Error;
          return { ok: false as const, name, message };
        }
      },
      { url, body },
    ),
  );
}

const describeInBrowser = describeWithBrowser();

describeInBrowser('the token server from a web page (headless Chromium)', () => {
  const verifier = new TokenVerifier(TEST_API_KEY, TEST_API_SECRET);
  let allowedSite: LoopbackServer;
  let refusedSite: LoopbackServer;
  let tokenServer: LoopbackServer;
  /** Every request the token server received, as `<method> <path> from <origin>`. */
  let received: string[];
  let browser: Browser;
  let openPages: OpenPage[];

  beforeAll(async () => {
    [allowedSite, refusedSite] = await Promise.all([startStaticSite(), startStaticSite()]);
    const app = createApp(testConfig({ CORS_ORIGINS: allowedSite.url, LIVEKIT_URL }));
    tokenServer = await listenOnLoopback((req, res) => {
      received.push(`${req.method} ${req.url} from ${req.headers.origin ?? 'no origin'}`);
      app(req, res);
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([allowedSite, refusedSite, tokenServer].map((server) => server?.close()));
  });

  beforeEach(() => {
    received = [];
    openPages = [];
  });

  afterEach(async () => {
    await Promise.all(openPages.map((open) => open.close()));
  });

  /** Opens a site's page; afterEach closes it. */
  async function open(site: LoopbackServer): Promise<OpenPage> {
    const opened = await openSite(browser, site.url);
    openPages.push(opened);
    return opened;
  }

  describe('POST /token with fetch', () => {
    const body = { user_email: 'ada@example.com', full_name: 'Ada Lovelace' };

    describe('from an origin in CORS_ORIGINS', () => {
      it('answers 200 with a token and a request id that the page can read', async () => {
        const page = await open(allowedSite);
        const answer = fulfilled(await fetchTokenInPage(page, `${tokenServer.url}/token`, body));

        expect(answer).toEqual({
          status: 200,
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          body: expect.objectContaining({ token: expect.any(String), server_url: LIVEKIT_URL }),
        });
        const claims = await verifier.verify(answer.body.token ?? '');
        expect(claims).toMatchObject({ sub: 'ada@example.com', name: 'Ada Lovelace' });
        expect(received).toEqual([
          `OPTIONS /token from ${allowedSite.url}`,
          `POST /token from ${allowedSite.url}`,
        ]);
      });
    });

    describe('from an origin not in CORS_ORIGINS', () => {
      it('is blocked by CORS at the preflight: fetch fails and the POST is never sent', async () => {
        const page = await open(refusedSite);
        const url = `${tokenServer.url}/token`;

        const result = await fetchTokenInPage(page, url, body);

        expect(result).toEqual({ ok: false, name: 'TypeError', message: 'Failed to fetch' });
        expect(await page.consoleMessage(corsBlockPattern(url, refusedSite.url))).toMatch(
          PREFLIGHT_REFUSED,
        );
        expect(received).toEqual([`OPTIONS /token from ${refusedSite.url}`]);
      });
    });
  });
});
