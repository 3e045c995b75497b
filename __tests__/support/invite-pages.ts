// Steps on the example join and host pages (examples/web/join.html, host.html), shared by
// their browser test and the script that takes their screenshots for the docs.
import type { Locator, Page } from 'playwright-core';
import { AccessToken } from 'livekit-server-sdk';
import { BROWSER_STEP_TIMEOUT_MS } from './browser';

/** The host page's refresh of the waiting room comes every 2 s: a few rounds fit a step. */
export const LOBBY_SEEN_TIMEOUT_MS = BROWSER_STEP_TIMEOUT_MS;

/** What a host page creates an invite with. */
export interface InviteFields {
  role: string;
  maxUses: number;
  waitingRoom: boolean;
}

/**
 * A LiveKit host token for `room`, as a host's app would hold one: roomAdmin for that room,
 * signed with the token server's LiveKit key pair.
 */
export function signHostToken(
  livekit: { apiKey: string; apiSecret: string },
  room: string,
  identity = 'host-ada',
): Promise<string> {
  const token = new AccessToken(livekit.apiKey, livekit.apiSecret, {
    identity,
    name: 'Ada',
    ttl: '10m',
  });
  token.addGrant({ room, roomJoin: true, roomAdmin: true });
  return token.toJwt();
}

/** The host page's URL, with the token server set by `?server=`. */
export function hostPageUrl(siteUrl: string, tokenServerUrl: string): string {
  return `${siteUrl}/host.html?server=${encodeURIComponent(tokenServerUrl)}`;
}

/** Pastes a host token into a loaded host page and waits for the moderation view. */
export async function useHostToken(host: Page, token: string): Promise<void> {
  await host.fill('#host-token', token);
  await host.click('#use-token');
  await host.locator('#moderation').waitFor({ state: 'visible' });
}

/** Creates an invite on the host page and returns the join link it shows. */
export async function createInvite(host: Page, invite: InviteFields): Promise<string> {
  await host.fill('#invite-role', invite.role);
  await host.fill('#invite-max-uses', String(invite.maxUses));
  await host.setChecked('#invite-waiting-room', invite.waitingRoom);
  await host.click('#create-invite');
  await host.locator('#new-invite').waitFor({ state: 'visible' });
  return (await host.locator('#join-link').textContent()) ?? '';
}

/** On a loaded join page, enters `name` and presses Join. */
export async function enterNameAndJoin(guest: Page, name: string): Promise<void> {
  await guest.fill('#participant-name', name);
  await guest.click('#join');
}

/** The host page's row for a waiting guest, once a refresh shows it. */
export async function waitingRow(host: Page, name: string): Promise<Locator> {
  const row = host.locator('#lobby tbody tr', { hasText: name });
  await row.waitFor({ state: 'visible', timeout: LOBBY_SEEN_TIMEOUT_MS });
  return row;
}
