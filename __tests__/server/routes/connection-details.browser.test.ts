import type { Browser } from 'playwright-core';
import { TokenVerifier } from 'livekit-server-sdk';
import type { TokenSourceFetchOptions, TokenSourceResponseObject } from 'livekit-client';
import { createApp } from '../../../server/src/app';
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
} from '../../support/browser';
import { TEST_API_KEY, TEST_API_SECRET, testConfig } from '../../support/fixtures';

/** The LIVEKIT_URL the token server is configured with, and hands to clients. */
const LIVEKIT_URL = 'wss://livekit.example.test';

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
