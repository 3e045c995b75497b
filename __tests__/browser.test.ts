import type { Browser } from 'playwright-core';
import { TokenVerifier } from 'livekit-server-sdk';
import type { TokenSourceFetchOptions, TokenSourceResponseObject } from 'livekit-client';
import { createApp } from '../server/src/app';
import {
  describeWithBrowser,
  launchChromium,
  listenOnLoopback,
  openSite,
  startStaticSite,
  withinTimeout,
  type LoopbackServer,
  type OpenPage,
} from './support/browser';
import { TEST_API_KEY, TEST_API_SECRET, testConfig } from './support/fixtures';

/** The LIVEKIT_URL the token server is configured with, and hands to clients. */
const LIVEKIT_URL = 'wss://livekit.example.test';

/** What a call made in the page came to: its value, or what it threw. */
type Settled<T> = { ok: true; value: T } | { ok: false; name: string; message: string };

/** The value of a call that must have worked; else the error says what the page threw. */
function fulfilled<T>(settled: Settled<T>): T {
  if (!settled.ok) {
    throw new Error(`the call in the page threw ${settled.name}: ${settled.message}`);
  }
  return settled.value;
}

/** What a page's `fetch` of POST /token read from the answer. */
interface FetchedToken {
  status: number;
  /** X-Request-Id, readable only because the server exposes it (Access-Control-Expose-Headers). */
  requestId: string | null;
  body: { token?: string; identity?: string; room_name?: string };
}

/** How Chromium explains a block by a preflight answered without Access-Control-Allow-Origin. */
const PREFLIGHT_REFUSED =
  /Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header/;

/** Chromium's console line for a request that CORS stopped. */
function corsBlockPattern(url: string, origin: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `Access to fetch at '${escape(url)}' from origin '${escape(origin)}' has been blocked by CORS policy`,
  );
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

/**
 * Fetches connection details as a LiveKit web app does:
 * `LivekitClient.TokenSource.endpoint(url).fetch(options)`, with the real livekit-client.
 */
function fetchConnectionDetailsInPage(
  { page }: OpenPage,
  url: string,
  options: TokenSourceFetchOptions,
): Promise<Settled<TokenSourceResponseObject>> {
  return withinTimeout(
    `TokenSource.endpoint(${url}).fetch() in the page`,
    page.evaluate(
      async ({ url, options }) => {
        try {
          const value = await window.LivekitClient.TokenSource.endpoint(url).fetch(options);
          return { ok: true as const, value };
        } catch (error) {
          const { name, message } = error as Error;
          return { ok: false as const, name, message };
        }
      },
      { url, options },
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

  describe('POST /connection-details with livekit-client TokenSource.endpoint', () => {
    const everyOption = {
      roomName: 'physics-101',
      participantName: 'Ada Lovelace',
      participantIdentity: 'ada',
      participantMetadata: '{"seat":"front row ✓"}',
      participantAttributes: { team: 'blue', language: 'fr' },
      agentName: 'tutor',
      agentMetadata: '{"lesson":"optics"}',
    };

    describe('from an origin in CORS_ORIGINS', () => {
      it('resolves with serverUrl and a token carrying every option as LiveKit claims', async () => {
        const page = await open(allowedSite);
        const url = `${tokenServer.url}/connection-details`;

        const details = fulfilled(await fetchConnectionDetailsInPage(page, url, everyOption));

        expect(details).toEqual({ serverUrl: LIVEKIT_URL, participantToken: expect.any(String) });
        const claims = await verifier.verify(details.participantToken);
        expect(claims).toMatchObject({
          iss: TEST_API_KEY,
          sub: 'ada',
          name: 'Ada Lovelace',
          video: { room: 'physics-101', roomJoin: true },
          metadata: '{"seat":"front row ✓"}',
          attributes: { team: 'blue', language: 'fr' },
        });
        expect(claims.roomConfig).toEqual({
          agents: [{ agentName: 'tutor', metadata: '{"lesson":"optics"}' }],
        });
        expect(received).toEqual([
          `OPTIONS /connection-details from ${allowedSite.url}`,
          `POST /connection-details from ${allowedSite.url}`,
        ]);
      });

      it('without options, resolves with a token for a generated room and identity', async () => {
        const page = await open(allowedSite);
        const url = `${tokenServer.url}/connection-details`;

        const details = fulfilled(await fetchConnectionDetailsInPage(page, url, {}));

        expect(details).toEqual({ serverUrl: LIVEKIT_URL, participantToken: expect.any(String) });
        const claims = await verifier.verify(details.participantToken);
        expect(claims).toMatchObject({
          sub: expect.stringMatching(/^participant-./),
          video: { room: expect.stringMatching(/^room-./), roomJoin: true },
        });
        expect(claims).not.toHaveProperty('metadata');
        expect(claims).not.toHaveProperty('attributes');
        expect(claims).not.toHaveProperty('roomConfig');
      });
    });

    describe('from an origin not in CORS_ORIGINS', () => {
      it('rejects with TypeError "Failed to fetch", blocked by CORS, where the allowed origin succeeds', async () => {
        const url = `${tokenServer.url}/connection-details`;
        const refusedPage = await open(refusedSite);
        const allowedPage = await open(allowedSite);

        const refused = await fetchConnectionDetailsInPage(refusedPage, url, everyOption);
        const allowed = await fetchConnectionDetailsInPage(allowedPage, url, everyOption);

        expect(refused).toEqual({ ok: false, name: 'TypeError', message: 'Failed to fetch' });
        expect(await refusedPage.consoleMessage(corsBlockPattern(url, refusedSite.url))).toMatch(
          PREFLIGHT_REFUSED,
        );
        expect(allowed).toMatchObject({ ok: true, value: { serverUrl: LIVEKIT_URL } });
        expect(allowedPage.consoleMessages).toEqual([]);
        expect(received).toEqual([
          `OPTIONS /connection-details from ${refusedSite.url}`,
          `OPTIONS /connection-details from ${allowedSite.url}`,
          `POST /connection-details from ${allowedSite.url}`,
        ]);
      });
    });
  });
});
