import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TokenVerifier } from 'livekit-server-sdk';
import { BROWSER_STEP_TIMEOUT_MS, describeWithBrowser, launchChromium } from '../support/browser';
import {
  CONNECT_ERROR_TIMEOUT_MS,
  PAGE_LOAD_TIMEOUT_MS,
  startExampleSite,
  type ExampleSite,
} from '../support/example-site';
import {
  createInvite,
  enterNameAndJoin,
  hostPageUrl,
  LOBBY_SEEN_TIMEOUT_MS,
  signHostToken,
  useHostToken,
  waitingRow,
} from '../support/invite-pages';
import { freePort, startServer, type RunningServer } from '../support/processes';

/** The token server's LiveKit key pair, which signs the host's token too. */
const LIVEKIT = {
  apiKey: 'APIinvitepages',
  apiSecret: 'invite-pages-secret-with-more-than-32-characters',
};
/** The server runs with AUTH_MODE=api-key: guests have no key, and the host uses its token. */
const CALLER_API_KEY = 'invite-pages-caller-key-of-32-characters-or-more';

const ROOM = 'physics-101';

/** Reads a page element's text; the element must exist. */
async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent()) ?? '';
}

const describeInBrowser = describeWithBrowser();

describeInBrowser(
  'examples/web join and host pages in headless Chromium, against the token server process',
  () => {
    const verifier = new TokenVerifier(LIVEKIT.apiKey, LIVEKIT.apiSecret);
    let site: ExampleSite;
    let tokenServer: RunningServer;
    /** Where the token server tells guests LiveKit is; nothing listens there. */
    let livekitUrl: string;
    let browser: Browser;
    /** The host's and the guests' browser contexts: two people, one browser. */
    let contexts: BrowserContext[];
    /** Uncaught errors in any page: a broken import map or script shows here. */
    let pageErrors: string[];

    beforeAll(async () => {
      site = await startExampleSite();
      livekitUrl = `ws://127.0.0.1:${await freePort()}`;
      [tokenServer, browser] = await Promise.all([
        startServer({
          LIVEKIT_API_KEY: LIVEKIT.apiKey,
          LIVEKIT_API_SECRET: LIVEKIT.apiSecret,
          LIVEKIT_URL: livekitUrl,
          AUTH_MODE: 'api-key',
          TOKEN_SERVER_API_KEYS: CALLER_API_KEY,
          CORS_ORIGINS: site.url,
          // The server's own link for an invite; the host page shows it beside its own.
          INVITE_URL_BASE: `${site.url}/join`,
          // The bans test seeds over a thousand bans through the API.
          MODERATION_RATE_LIMIT_PER_MINUTE: '0',
        }),
        launchChromium(),
      ]);
    });

    afterAll(async () => {
      await browser?.close();
      await Promise.all([site?.stop(), tokenServer?.stop()]);
    });

    beforeEach(() => {
      contexts = [];
      pageErrors = [];
    });

    afterEach(async () => {
      await Promise.all(contexts.map((context) => context.close()));
      expect(pageErrors).toEqual([]);
    });

    /** Opens `url` in a browser context of its own, once its script has loaded. */
    async function openPage(url: string, readyButton: string): Promise<Page> {
      const context = await browser.newContext();
      contexts.push(context);
      context.setDefaultTimeout(BROWSER_STEP_TIMEOUT_MS);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${url}: ${error.message}`));
      await page.goto(url, { timeout: PAGE_LOAD_TIMEOUT_MS });
      // Each page enables its button once livekit-client has loaded through the import map.
      await page.locator(`${readyButton}:enabled`).waitFor({ timeout: PAGE_LOAD_TIMEOUT_MS });
      return page;
    }

    /** The host page, moderating ROOM with a host token, the token server set by `?server=`. */
    async function openHostPage(): Promise<Page> {
      const host = await openPage(hostPageUrl(site.url, tokenServer.url), '#use-token');
      expect(await host.inputValue('#token-server-url')).toBe(tokenServer.url);
      await useHostToken(host, await signHostToken(LIVEKIT, ROOM));
      expect(await textOf(host, '#room')).toBe(ROOM);
      expect(await textOf(host, '#host-identity')).toBe('host-ada');
      return host;
    }

    /** Opens the join link as a guest, enters `name` and presses Join. */
    async function joinAs(link: string, name: string): Promise<Page> {
      const guest = await openPage(link, '#join');
      await enterNameAndJoin(guest, name);
      return guest;
    }

    describe('a waiting-room invite', () => {
      it(
        'lets the guest wait until the host admits, then gives a token for the room and role, and the page tries LiveKit',
        async () => {
          const host = await openHostPage();
          const link = await createInvite(host, { role: 'viewer', maxUses: 1, waitingRoom: true });

          const code = await textOf(host, '#invite-code');
          expect(code).toMatch(/^[a-hj-km-np-z]{4}(-[a-hj-km-np-z]{4}){3}$/);
          const joinUrl = new URL(link);
          expect(joinUrl.origin + joinUrl.pathname).toBe(`${site.url}/join`);
          expect(joinUrl.searchParams.get('code')).toBe(code);
          expect(joinUrl.searchParams.get('server')).toBe(tokenServer.url);
          expect(await textOf(host, '#server-link')).toBe(`${site.url}/join?code=${code}`);

          const guest = await joinAs(link, 'Grace Hopper');
          expect(await guest.inputValue('#invite-code')).toBe(code);
          await guest.locator('#waiting').waitFor({ state: 'visible' });
          expect(await textOf(guest, '#waiting-status')).toBe(
            'Waiting for the host to let you in…',
          );
          expect(await guest.locator('#joined').isHidden()).toBe(true);

          const row = await waitingRow(host, 'Grace Hopper');
          const [shownName, identity = '', role] = await row.locator('td').allTextContents();
          expect([shownName, role]).toEqual(['Grace Hopper', 'viewer']);
          expect(identity).toMatch(/^guest-/);
          await row.getByRole('button', { name: 'Admit' }).click();

          await guest.locator('#joined').waitFor({ state: 'visible' });
          expect(await guest.locator('#waiting').isHidden()).toBe(true);
          const claims = await verifier.verify(await textOf(guest, '#token'));
          expect(claims.sub).toBe(identity);
          expect(claims.name).toBe('Grace Hopper');
          expect(claims.video).toMatchObject({ room: ROOM, roomJoin: true, canPublish: false });
          expect(claims.video?.roomAdmin).not.toBe(true);
          expect(await textOf(guest, '#room')).toBe(ROOM);
          expect(await textOf(guest, '#identity')).toBe(identity);
          expect(await textOf(guest, '#role')).toBe('viewer');
          expect(await textOf(guest, '#server-url')).toBe(livekitUrl);

          // No LiveKit listens at livekitUrl: the page tries it and says so in plain words.
          await guest
            .locator('#connection-error')
            .waitFor({ state: 'visible', timeout: CONNECT_ERROR_TIMEOUT_MS });
          expect(await textOf(guest, '#connection-error')).toContain(
            `Could not connect to LiveKit at ${livekitUrl}: `,
          );
          expect(await textOf(guest, '#connection-state')).toBe('disconnected');

          await host.locator('#nobody-waiting').waitFor({ state: 'visible' });
          await host
            .locator('#invites tbody tr', { hasText: '1 of 1' })
            .waitFor({ state: 'visible', timeout: LOBBY_SEEN_TIMEOUT_MS });
        },
        CONNECT_ERROR_TIMEOUT_MS + 4 * BROWSER_STEP_TIMEOUT_MS,
      );

      it('tells a guest the host denies that they were denied, and gives no token', async () => {
        const host = await openHostPage();
        const link = await createInvite(host, {
          role: 'participant',
          maxUses: 1,
          waitingRoom: true,
        });
        const guest = await joinAs(link, 'Mallory');
        await guest.locator('#waiting').waitFor({ state: 'visible' });

        const row = await waitingRow(host, 'Mallory');
        await row.getByRole('button', { name: 'Deny' }).click();

        await guest.locator('#join-error').waitFor({ state: 'visible' });
        expect(await textOf(guest, '#join-error')).toBe(
          'The host has denied your request to join this room.',
        );
        expect(await guest.locator('#waiting').isHidden()).toBe(true);
        expect(await guest.locator('#joined').isHidden()).toBe(true);
        expect(await textOf(guest, '#token')).toBe('');
        await row.waitFor({ state: 'detached' });
      });
    });

    describe('an invite without a waiting room', () => {
      it('gives the first guest a token at once, and tells the second that it is used up', async () => {
        const host = await openHostPage();
        const link = await createInvite(host, {
          role: 'participant',
          maxUses: 1,
          waitingRoom: false,
        });

        const first = await joinAs(link, 'Katherine Johnson');
        await first.locator('#joined').waitFor({ state: 'visible' });
        const claims = await verifier.verify(await textOf(first, '#token'));
        expect(claims.video).toMatchObject({ room: ROOM, roomJoin: true, canPublish: true });
        expect(await textOf(first, '#role')).toBe('participant');

        const second = await joinAs(link, 'Dorothy Vaughan');
        await second.locator('#join-error').waitFor({ state: 'visible' });
        expect(await textOf(second, '#join-error')).toBe(
          'This invite has been used as many times as it allows: ask the host for a new link. ' +
            '(410 INVITE_USED_UP)',
        );
        expect(await second.locator('#joined').isHidden()).toBe(true);
      });
    });

    describe('a code typed on the join page that no invite has', () => {
      it('says the code is not known, in plain words', async () => {
        const guest = await openPage(
          `${site.url}/join?server=${encodeURIComponent(tokenServer.url)}`,
          '#join',
        );
        await guest.fill('#invite-code', 'abcd-efgh-jkmn-pqrs');
        await enterNameAndJoin(guest, 'Eve');

        await guest.locator('#join-error').waitFor({ state: 'visible' });
        expect(await textOf(guest, '#join-error')).toMatch(
          /^This invite code is not known: .* \(404 INVITE_NOT_FOUND\)$/,
        );
      });
    });

    describe('bans on the host page', () => {
      it('bans an identity in the room, lists it, and lifts it', async () => {
        const host = await openHostPage();
        await host.fill('#ban-identity', 'spammer-1');
        await host.fill('#ban-reason', 'flooding the chat');
        await host.click('#ban');

        const row = host.locator('#bans tbody tr', { hasText: 'spammer-1' });
        await row.waitFor({ state: 'visible' });
        const cells = await row.locator('td').allTextContents();
        expect(cells.map((text) => text.trim())).toEqual([
          'spammer-1',
          'flooding the chat',
          'until lifted',
          'livekit:host-ada',
          'Lift',
        ]);
        await row.getByRole('button', { name: 'Lift' }).click();

        // Either the list empties or the page says what went wrong (a CORS refusal, say).
        await host.locator('#no-bans:visible, #moderation-error:visible').first().waitFor();
        expect(await textOf(host, '#moderation-error')).toBe('');
        expect(await host.locator('#no-bans').isVisible()).toBe(true);
      });

      it("lists every one of a room's bans, past GET /bans's page of 1000", async () => {
        const room = 'crowded-room';
        const identities = Array.from({ length: 1_003 }, (_, index) => `spammer-${index}`);
        // 20 at a time: which of a batch the server stores first is its own affair, so the
        // list is compared as a set (the order of bans is the store contract's to prove).
        for (let start = 0; start < identities.length; start += 20) {
          const statuses = await Promise.all(
            identities.slice(start, start + 20).map(async (identity) => {
              const response = await fetch(`${tokenServer.url}/bans`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', 'X-API-Key': CALLER_API_KEY },
                body: JSON.stringify({ identity, room }),
              });
              return response.status;
            }),
          );
          expect(statuses).toEqual(statuses.map(() => 201));
        }
        const host = await openPage(hostPageUrl(site.url, tokenServer.url), '#use-token');
        await useHostToken(host, await signHostToken(LIVEKIT, room));
        // The list is shown once every page is in: its rows appear all at once.
        await host.locator('#bans tbody tr').first().waitFor({ state: 'visible' });
        const listed = await host.locator('#bans tbody tr td:first-child').allTextContents();
        expect(listed.map((text) => text.trim()).sort()).toEqual([...identities].sort());
        expect(await textOf(host, '#moderation-error')).toBe('');
      });
    });
  },
);
