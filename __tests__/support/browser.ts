import { existsSync, readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type * as LivekitClientModule from 'livekit-client';
import { REPO_ROOT } from './processes';

declare global {
  interface Window {
    /** Defined by the livekit-client UMD bundle that the test sites' page loads. */
    LivekitClient: typeof LivekitClientModule;
  }
}

/** Where Debian's chromium package (installed by .ci/run) puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Set to 1 (CI does) to fail, rather than skip, when Chromium is missing. */
export const REQUIRE_BROWSER_TESTS = 'REQUIRE_BROWSER_TESTS';

/**
 * Longest one browser step may take, in milliseconds: a launch, a page load, a call made in
 * the page. Everything here talks to loopback servers, so a step takes milliseconds; the
 * bound is for a hang, with room for a 2-core machine running other test files beside
 * (where launching Chromium once took over 5 s).
 */
export const BROWSER_STEP_TIMEOUT_MS = 15_000;

/** Longest one browser test may take: a few such steps. */
export const BROWSER_TEST_TIMEOUT_MS = 60_000;

/**
 * Headless, no network of its own (no component updates, sync or QUIC probes), and no
 * sandbox, which needs user namespaces that containers seldom grant.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** The real livekit-client browser bundle; it defines the global `LivekitClient`. */
const LIVEKIT_CLIENT_BUNDLE = join(
  REPO_ROOT,
  'node_modules',
  'livekit-client',
  'dist',
  'livekit-client.umd.js',
);

/**
 * `describe` when Chromium is installed. Without it: `describe.skip` and a warning, so the
 * skip shows in the output, or, with REQUIRE_BROWSER_TESTS=1, an error that fails the suite.
 */
export function describeWithBrowser(env: NodeJS.ProcessEnv = process.env): jest.Describe {
  if (existsSync(CHROMIUM_PATH)) {
    // For every test of the file that asks, hooks included.
    jest.setTimeout(BROWSER_TEST_TIMEOUT_MS);
    return describe;
  }
  if (env[REQUIRE_BROWSER_TESTS] === '1') {
    throw new Error(
      `${CHROMIUM_PATH} is missing and ${REQUIRE_BROWSER_TESTS}=1: install Debian's chromium ` +
        'package (apt-get install chromium), as .ci/run does.',
    );
  }
  console.warn(
    `SKIPPING the browser tests: ${CHROMIUM_PATH} is missing. Install Debian's chromium ` +
      `package to run them (CI sets ${REQUIRE_BROWSER_TESTS}=1, so they never skip there).`,
  );
  return describe.skip;
}

/** Starts headless Chromium with a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    timeout: BROWSER_STEP_TIMEOUT_MS,
  });
}

/** An HTTP server on 127.0.0.1 and an ephemeral port. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, which is also the server's origin. */
  url: string;
  /** Stops the server, dropping kept-alive connections so that afterAll does not hang. */
  close(): Promise<void>;
}

/** Serves a request listener (an Express app, say) on 127.0.0.1 and an ephemeral port. */
export async function listenOnLoopback(listener: RequestListener): Promise<LoopbackServer> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The page every site serves: nothing but the livekit-client bundle. */
const PAGE_HTML = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>token server browser test</title>
    <link rel="icon" href="data:," />
    <script src="/livekit-client.umd.js"></script>
  </head>
  <body></body>
</html>
`;

/**
 * A static site, as a web app calling the token server would be: `/` is a page that loads
 * the real livekit-client bundle from `/livekit-client.umd.js`. Two of them on two ports are
 * two origins. The favicon is inlined so that no 404 adds noise to the console.
 */
export function startStaticSite(): Promise<LoopbackServer> {
  const bundle = readFileSync(LIVEKIT_CLIENT_BUNDLE);
  return listenOnLoopback((req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
    } else if (req.method === 'GET' && req.url === '/livekit-client.umd.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
}

/** A page open on a site, in a browser context of its own, with its console recorded. */
export interface OpenPage {
  page: Page;
  /** Every console message so far, as `<type>: <text>`, Chromium's own (CORS...) included. */
  consoleMessages: string[];
  /**
   * The text of the first console message matching `pattern`, already logged or logged
   * within BROWSER_STEP_TIMEOUT_MS; undefined if none comes, so a test asserts on it.
   */
  consoleMessage(pattern: RegExp): Promise<string | undefined>;
  /** Closes the page's context, and with it any cache (preflights included) it built. */
  close(): Promise<void>;
}

/**
 * Opens a site's page in a fresh browser context, so that no test sees another's preflight
 * cache, and checks that the livekit-client bundle defined `LivekitClient.TokenSource`.
 */
export async function openSite(browser: Browser, siteUrl: string): Promise<OpenPage> {
  const context: BrowserContext = await browser.newContext();
  context.setDefaultTimeout(BROWSER_STEP_TIMEOUT_MS);
  try {
    const page = await context.newPage();
    const consoleMessages: string[] = [];
    page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
    // The load event comes after the page's synchronous scripts, the bundle included, ran.
    await page.goto(`${siteUrl}/`);
    const bundleLoaded = await page.evaluate(
      () => typeof window.LivekitClient?.TokenSource?.endpoint === 'function',
    );
    if (!bundleLoaded) {
      throw new Error(`${siteUrl}/ loaded without LivekitClient.TokenSource.endpoint defined`);
    }
    const consoleMessage = async (pattern: RegExp): Promise<string | undefined> => {
      const logged = consoleMessages.find((message) => pattern.test(message));
      if (logged !== undefined) return logged;
      return page
        .waitForEvent('console', { predicate: (message) => pattern.test(message.text()) })
        .then(
          (message) => `${message.type()}: ${message.text()}`,
          () => undefined,
        );
    };
    return { page, consoleMessages, consoleMessage, close: () => context.close() };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/**
 * Settles like `work`, or rejects after `timeoutMs`: page.evaluate has no timeout of its own,
 * and a call that hangs in the page must fail the test rather than stall it.
 */
export async function withinTimeout<T>(
  label: string,
  work: Promise<T>,
  timeoutMs = BROWSER_STEP_TIMEOUT_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} took over ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a call made in the page came to: its value, or what it threw. */
export type Settled<T> = { ok: true; value: T } | { ok: false; name: string; message: string };

/** The value of a call that must have worked; else the error says what the page threw. */
export function fulfilled<T>(settled: Settled<T>): T {
  if (!settled.ok) {
    throw new Error(`the call in the page threw ${settled.name}: ${settled.message}`);
  }
  return settled.value;
}

/** How Chromium explains a block by a preflight answered without Access-Control-Allow-Origin. */
export const PREFLIGHT_REFUSED =
  /Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header/;

/** Chromium's console line for a request that CORS stopped. */
export function corsBlockPattern(url: string, origin: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `Access to fetch at '${escape(url)}' from origin '${escape(origin)}' has been blocked by CORS policy`,
  );
}
