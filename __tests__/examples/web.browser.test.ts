import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TokenVerifier } from 'livekit-server-sdk';
import { BROWSER_STEP_TIMEOUT_MS, describeWithBrowser, launchChromium } from '../support/browser';
import {
  CONNECT_ERROR_TIMEOUT_MS,
  EXAMPLE_DIR,
  PAGE_LOAD_TIMEOUT_MS,
  startExampleSite,
  type ExampleSite,
} from '../support/example-site';
import { freePort, REPO_ROOT, startServer, type RunningServer } from '../support/processes';

const LIVEKIT_CLIENT_DIR = join(REPO_ROOT, 'node_modules', 'livekit-client');

const LIVEKIT_API_KEY = 'APIexamplepage';
const LIVEKIT_API_SECRET = 'example-page-secret-with-more-than-32-characters';
/** The key the page sends as a caller of the api-key token server. */
const CALLER_API_KEY = 'example-page-caller-key-of-32-characters-or-more';

/** GETs `path` exactly as written: fetch() would resolve `..` segments before sending. */
function getRawPath(siteUrl: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(siteUrl);
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('examples/web/serve.mjs', () => {
  let site: ExampleSite;

  beforeAll(async () => {
    site = await startExampleSite();
  });

  afterAll(async () => {
    await site?.stop();
  });

  it('serves the page at /, its script and livekit-client’s ESM build from node_modules', async () => {
    const page = await fetch(`${site.url}/`);
    const script = await fetch(`${site.url}/app.js`);
    const esm = await fetch(`${site.url}/node_modules/livekit-client/dist/livekit-client.esm.mjs`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe(readFileSync(join(EXAMPLE_DIR, 'index.html'), 'utf8'));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(esm.status).toBe(200);
    expect(esm.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await esm.text()).toBe(
      readFileSync(join(LIVEKIT_CLIENT_DIR, 'dist', 'livekit-client.esm.mjs'), 'utf8'),
    );
  });

  it('serves join.html at /join, its query kept for the page, and host.html at /host', async () => {
    const joinPage = await fetch(`${site.url}/join?code=kfmw-ptra-hxce-bnqd`);
    const hostPage = await fetch(`${site.url}/host`);

    expect(joinPage.status).toBe(200);
    expect(joinPage.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await joinPage.text()).toBe(readFileSync(join(EXAMPLE_DIR, 'join.html'), 'utf8'));
    expect(hostPage.status).toBe(200);
    expect(await hostPage.text()).toBe(readFileSync(join(EXAMPLE_DIR, 'host.html'), 'utf8'));
  });

  it('answers 404 for another package of node_modules', async () => {
    expect(existsSync(join(REPO_ROOT, 'node_modules', 'jose', 'package.json'))).toBe(true);

    const { status } = await getRawPath(site.url, '/node_modules/jose/package.json');

    expect(status).toBe(404);
  });

  describe('a path that leads out of its folder or the livekit-client package', () => {
    // Each path, joined naively onto the folder it starts in, reaches a real file.
    const escapes: { path: string; naiveTarget: string }[] = [
      { path: '/../../package.json', naiveTarget: join(EXAMPLE_DIR, '../../package.json') },
      { path: '/%2e%2e/%2e%2e/package.json', naiveTarget: join(REPO_ROOT, 'package.json') },
      { path: '/..%2f..%2fpackage.json', naiveTarget: join(REPO_ROOT, 'package.json') },
      {
        path: '/node_modules/../../../../../../../../etc/passwd',
        naiveTarget: '/etc/passwd',
      },
      {
        path: '/node_modules/livekit-client/../../package.json',
        naiveTarget: join(LIVEKIT_CLIENT_DIR, '../../package.json'),
      },
      {
        path: '/node_modules/livekit-client/..%2F..%2Fpackage.json',
        naiveTarget: join(REPO_ROOT, 'package.json'),
      },
      {
        path: '/node_modules/livekit-client/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
        naiveTarget: '/etc/passwd',
      },
      { path: '/%2fetc%2fpasswd', naiveTarget: '/etc/passwd' },
    ];

    it.each(escapes)('refuses $path with 403 or 404', async ({ path, naiveTarget }) => {
      expect(existsSync(naiveTarget)).toBe(true);

      const { status, body } = await getRawPath(site.url, path);

      expect([403, 404]).toContain(status);
      expect(body).not.toContain(readFileSync(naiveTarget, 'utf8').slice(0, 40));
    });
  });
});

/** Reads a page element's text; the element must exist. */
async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent()) ?? '';
}

const describeInBrowser = describeWithBrowser();

describeInBrowser('examples/web in headless Chromium, against the token server process', () => {
  const verifier = new TokenVerifier(LIVEKIT_API_KEY, LIVEKIT_API_SECRET);
  let site: ExampleSite;
  /** AUTH_MODE=api-key, LIVEKIT_URL where no LiveKit listens. */
  let tokenServer: RunningServer;
  /** No LIVEKIT_URL: answers 503 LIVEKIT_URL_NOT_SET. */
  let tokenServerWithoutLivekitUrl: RunningServer;
  let livekitUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Uncaught errors in the page: a broken import map or app.js shows here. */
  let pageErrors: string[];

  beforeAll(async () => {
    site = await startExampleSite();
    livekitUrl = `ws://127.0.0.1:${await freePort()}`;
    const credentials = { LIVEKIT_API_KEY, LIVEKIT_API_SECRET, CORS_ORIGINS: site.url };
    [tokenServer, tokenServerWithoutLivekitUrl, browser] = await Promise.all([
      startServer({
        ...credentials,
        LIVEKIT_URL: livekitUrl,
        AUTH_MODE: 'api-key',
        TOKEN_SERVER_API_KEYS: CALLER_API_KEY,
      }),
      startServer(credentials),
      launchChromium(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([site?.stop(), tokenServer?.stop(), tokenServerWithoutLivekitUrl?.stop()]);
  });

  beforeEach(async () => {
    context = await browser.newContext();
    context.setDefaultTimeout(BROWSER_STEP_TIMEOUT_MS);
    page = await context.newPage();
    pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${site.url}/`, { timeout: PAGE_LOAD_TIMEOUT_MS });
    // app.js enables the button once livekit-client has loaded through the import map.
    await page.locator('#get-details:enabled').waitFor({ timeout: PAGE_LOAD_TIMEOUT_MS });
  });

  afterEach(async () => {
    await context?.close();
    expect(pageErrors).toEqual([]);
  });

  /** Fills the form and presses "Get connection details". */
  async function getConnectionDetails(fields: {
    tokenServerUrl: string;
    roomName?: string;
    participantName?: string;
    credential?: string;
  }): Promise<void> {
    await page.fill('#token-server-url', fields.tokenServerUrl);
    await page.fill('#room-name', fields.roomName ?? '');
    await page.fill('#participant-name', fields.participantName ?? '');
    await page.fill('#credential', fields.credential ?? '');
    await page.click('#get-details');
  }

  describe('Get connection details', () => {
    describe('with the API key', () => {
      it('shows server_url, room, identity and the grants of the token the server signed', async () => {
        await getConnectionDetails({
          tokenServerUrl: tokenServer.url,
          roomName: 'physics-101',
          participantName: 'Ada Lovelace',
          credential: CALLER_API_KEY,
        });
        await page.locator('#details').waitFor({ state: 'visible' });

        const claims = await verifier.verify(await textOf(page, '#token'));
        expect(claims).toMatchObject({
          name: 'Ada Lovelace',
          video: { room: 'physics-101', roomJoin: true },
        });
        expect(await textOf(page, '#server-url')).toBe(livekitUrl);
        expect(await textOf(page, '#room')).toBe('physics-101');
        expect(await textOf(page, '#identity')).toBe(claims.sub);
        expect(await textOf(page, '#name')).toBe('Ada Lovelace');
        const shownGrants: unknown = JSON.parse(await textOf(page, '#grants'));
        expect(shownGrants).toEqual(claims.video);
        expect(shownGrants).toMatchObject({ room: 'physics-101', roomJoin: true });
        expect(await textOf(page, '#details')).toMatch(/Decoded in this page, not verified/);
        expect(await page.locator('#details-error').isHidden()).toBe(true);
      });
    });

    describe('without the API key', () => {
      it('says the server answered 401 AUTHENTICATION_REQUIRED and where to put the key', async () => {
        await getConnectionDetails({ tokenServerUrl: tokenServer.url, roomName: 'physics-101' });
        await page.locator('#details-error').waitFor({ state: 'visible' });

        const shown = await textOf(page, '#details-error');
        expect(shown).toMatch(
          /^The token server answered 401 AUTHENTICATION_REQUIRED: Authentication required: /,
        );
        expect(shown).toMatch(/ fill in "API key or login token"\.$/);
        expect(await page.locator('#details').isHidden()).toBe(true);
      });
    });

    describe('from a token server without LIVEKIT_URL', () => {
      it('shows the 503 LIVEKIT_URL_NOT_SET message', async () => {
        await getConnectionDetails({ tokenServerUrl: tokenServerWithoutLivekitUrl.url });
        await page.locator('#details-error').waitFor({ state: 'visible' });

        expect(await textOf(page, '#details-error')).toMatch(
          /^The token server answered 503 LIVEKIT_URL_NOT_SET: This token server has no LIVEKIT_URL/,
        );
        expect(await page.locator('#details').isHidden()).toBe(true);
      });
    });
  });

  describe('Connect, with LIVEKIT_URL where no LiveKit listens', () => {
    it(
      'shows an error naming the LiveKit URL, and Connect is enabled again',
      async () => {
        await getConnectionDetails({ tokenServerUrl: tokenServer.url, credential: CALLER_API_KEY });
        await page.locator('#details').waitFor({ state: 'visible' });

        await page.click('#connect');
        await page
          .locator('#connection-error')
          .waitFor({ state: 'visible', timeout: CONNECT_ERROR_TIMEOUT_MS });

        const shown = await textOf(page, '#connection-error');
        expect(shown).toContain(`Could not connect to LiveKit at ${livekitUrl}: `);
        expect(shown).toMatch(/is LiveKit running \(livekit-server --dev\)/);
        expect(await textOf(page, '#connection-state')).toBe('disconnected');
        expect(await page.locator('#connect').isEnabled()).toBe(true);
        expect(await page.locator('#disconnect').isDisabled()).toBe(true);
      },
      CONNECT_ERROR_TIMEOUT_MS + 10_000,
    );
  });
});
