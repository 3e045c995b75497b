// Takes the screenshots of the join and host pages for the docs, by hand, once the pages
// change: `npm run build && npx tsx __tests__/support/page-screenshots.ts`. It starts the real
// token server on localhost:8002 and serve.mjs on localhost:5173, as the README's quick start
// does (so the pages show those URLs), and Chromium; then the host creates a waiting-room
// invite and bans one identity, a guest opens the link and waits, and both pages are saved,
// 1000 px wide, as docs/images/host.png and docs/images/join.png.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browser';
import { startExampleSite } from './example-site';
import {
  createInvite,
  enterNameAndJoin,
  hostPageUrl,
  signHostToken,
  useHostToken,
  waitingRow,
} from './invite-pages';
import { REPO_ROOT, startServer } from './processes';

const TOKEN_SERVER_PORT = 8002;
const SITE_PORT = 5173;
const SITE_URL = `http://localhost:${SITE_PORT}`;
const TOKEN_SERVER_URL = `http://localhost:${TOKEN_SERVER_PORT}`;
const LIVEKIT = {
  apiKey: 'APIscreenshots',
  apiSecret: 'secret-of-the-screenshots-at-least-32-chars',
};
const IMAGES_DIR = join(REPO_ROOT, 'docs', 'images');
/** 1000 px wide; short, so that a page shorter than the window has no blank band below it. */
const VIEWPORT = { width: 1000, height: 500 };

async function main(): Promise<void> {
  const site = await startExampleSite(SITE_PORT);
  const tokenServer = await startServer({
    TOKEN_SERVER_PORT: String(TOKEN_SERVER_PORT),
    LIVEKIT_API_KEY: LIVEKIT.apiKey,
    LIVEKIT_API_SECRET: LIVEKIT.apiSecret,
    LIVEKIT_URL: 'ws://localhost:7880',
    CORS_ORIGINS: SITE_URL,
  });
  const browser = await launchChromium();
  try {
    const hostContext = await browser.newContext({ viewport: VIEWPORT });
    const host = await hostContext.newPage();
    await host.goto(hostPageUrl(SITE_URL, TOKEN_SERVER_URL));
    await host.locator('#use-token:enabled').waitFor();
    await useHostToken(host, await signHostToken(LIVEKIT, 'physics-101'));
    await host.fill('#ban-identity', 'guest-q7Lr2XwK9dTb4VhN');
    await host.fill('#ban-reason', 'spam in the chat');
    await host.click('#ban');
    await host.locator('#bans tbody tr').waitFor();
    const link = await createInvite(host, { role: 'participant', maxUses: 5, waitingRoom: true });

    const guest = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    await guest.goto(link);
    await guest.locator('#join:enabled').waitFor();
    await enterNameAndJoin(guest, 'Grace Hopper');
    await guest.locator('#waiting').waitFor();
    await waitingRow(host, 'Grace Hopper');
    // The invite's use shows on the next refresh of the list of invites.
    await host.locator('#invites tbody tr', { hasText: '1 of 5' }).waitFor({ timeout: 15_000 });

    mkdirSync(IMAGES_DIR, { recursive: true });
    await guest.screenshot({ path: join(IMAGES_DIR, 'join.png'), fullPage: true });
    await host.screenshot({ path: join(IMAGES_DIR, 'host.png'), fullPage: true });
    console.log(`Saved join.png and host.png in ${IMAGES_DIR}`);
  } finally {
    await browser.close();
    await Promise.all([site.stop(), tokenServer.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
