// The host page: with a LiveKit host token (roomAdmin for one room), sent as
// `Authorization: Bearer` to the moderator routes, creates invites, lets in or turns away
// who waits in the lobby, and bans or lifts bans. The room is read from the token's payload.
import { decodeTokenPayload } from 'livekit-client';
import {
  callTokenServer,
  DEFAULT_TOKEN_SERVER_URL,
  explainError,
  initialTokenServerUrl,
  routeUrl,
  TokenServerError,
} from './token-server.js';

const byId = (id) => document.getElementById(id);

/** How often the waiting room is refreshed, in milliseconds. */
const LOBBY_REFRESH_MS = 2000;

/** Invites and bans are refreshed on every this many lobby refreshes (every 10 s). */
const LISTS_REFRESH_EVERY = 5;

/** Refusals whose meaning is the host's own. */
const HOST_WORDS = {
  LOBBY_ENTRY_NOT_FOUND:
    'This guest is no longer waiting: let in or turned away already (by another host?), or ' +
    'their wait expired.',
  BAN_NOT_FOUND: 'This ban is no longer in force: lifted already.',
  INVITE_NOT_FOUND: 'This invite is gone: revoked already.',
  INVALID_CREDENTIALS: (error) => `The token server refused the host token: ${error.message}`,
  NOT_A_MODERATOR: (error) => `This token may not do that: ${error.message}`,
};

/**
 * What the page moderates with: `{ serverUrl, token, room }`, set by "Use this token". The
 * refresh loop of a replaced session stops.
 */
let session;
/** What each list showed last, so that an unchanged list is not rebuilt under the pointer. */
const shown = { invites: '', lobby: '', bans: '' };

function showError(id, text) {
  byId(id).textContent = text;
  byId(id).hidden = text === '';
}

/** The room, identity and expiry of a host token, read from its payload (not verified). */
function readHostToken(token) {
  let claims;
  try {
    claims = decodeTokenPayload(token);
  } catch {
    throw new Error('This is not a LiveKit token: a JWT is three parts joined by dots.');
  }
  const room = claims.video?.room;
  if (claims.video?.roomAdmin !== true || typeof room !== 'string' || room === '') {
    throw new Error(
      'This token has no roomAdmin grant for a room: it cannot moderate. Ask for a host token.',
    );
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) {
    throw new Error('This token has expired: get a fresh host token.');
  }
  return { room, identity: claims.sub ?? '(none)', exp: claims.exp };
}

/** Calls a moderator route of the current session with the host token. */
function moderate(path, options = {}) {
  return callTokenServer(routeUrl(session.serverUrl, path), {
    ...options,
    headers: { Authorization: `Bearer ${session.token}` },
  });
}

/** Runs a moderator action; what went wrong shows under the room line. */
async function act(work) {
  showError('moderation-error', '');
  try {
    await work();
  } catch (error) {
    showError('moderation-error', explainError(error, session.serverUrl, HOST_WORDS));
  }
}

/** A table row of text cells and, last, buttons: `[{ label, run }]`. Text only, never HTML. */
function row(cells, buttons = []) {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  const td = document.createElement('td');
  td.className = 'actions';
  for (const { label, run } of buttons) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.addEventListener('click', () => {
      for (const other of td.querySelectorAll('button')) other.disabled = true;
      act(run).finally(() => {
        for (const other of td.querySelectorAll('button')) other.disabled = false;
      });
    });
    td.append(button, ' ');
  }
  tr.append(td);
  return tr;
}

/** Replaces a table's rows, unless the items are those it shows already; true if it did. */
function showRows(list, items, emptyNoteId, toRow) {
  const key = JSON.stringify(items);
  if (shown[list] === key) return false;
  shown[list] = key;
  byId(list).tBodies[0].replaceChildren(...items.map(toRow));
  byId(list).hidden = items.length === 0;
  byId(emptyNoteId).hidden = items.length !== 0;
  return true;
}

const when = (iso) => (iso === null || iso === undefined ? '—' : new Date(iso).toLocaleString());
const roomPath = () => `/rooms/${encodeURIComponent(session.room)}`;

/** Refreshes the waiting room; resolves with whether it changed. */
async function refreshLobby() {
  const { body } = await moderate(`${roomPath()}/lobby`);
  return showRows('lobby', body.waiting, 'nobody-waiting', (guest) => {
    const decide = (decision) => async () => {
      await moderate(`${roomPath()}/lobby/${encodeURIComponent(guest.id)}/${decision}`, {
        method: 'POST',
      });
      await refreshLobby();
      await refreshInvites();
    };
    const tr = row(
      [
        guest.name ?? '(no name)',
        guest.identity,
        guest.role,
        new Date(guest.since).toLocaleTimeString(),
      ],
      [
        { label: 'Admit', run: decide('admit') },
        { label: 'Deny', run: decide('deny') },
      ],
    );
    tr.dataset.identity = guest.identity;
    return tr;
  });
}

async function refreshInvites() {
  const { body } = await moderate(`/invites?room=${encodeURIComponent(session.room)}`);
  showRows('invites', body.invites, 'no-invites', (invite) =>
    row(
      [
        invite.role,
        `${invite.uses} of ${invite.max_uses}`,
        invite.waiting_room ? 'yes' : 'no',
        when(invite.expires_at),
        invite.created_by,
      ],
      [
        {
          label: 'Revoke',
          run: async () => {
            await moderate(`/invites/${encodeURIComponent(invite.id)}`, { method: 'DELETE' });
            await refreshInvites();
          },
        },
      ],
    ),
  );
}

/** The room's bans, every page of them (1000 a page: a room seldom has more than one). */
async function roomBans() {
  const bans = [];
  let after = '';
  // Bounded, as token-admin is: a server answering `next` for ever is not followed for ever.
  for (let pages = 0; pages < 100; pages += 1) {
    const { body } = await moderate(
      `/bans?room=${encodeURIComponent(session.room)}&limit=1000${after}`,
    );
    bans.push(...body.bans);
    if (body.next === undefined) break;
    after = `&after=${encodeURIComponent(body.next)}`;
  }
  return bans;
}

async function refreshBans() {
  showRows('bans', await roomBans(), 'no-bans', (ban) =>
    row(
      [
        ban.identity,
        ban.reason ?? '',
        ban.expires_at === null ? 'until lifted' : when(ban.expires_at),
        ban.created_by,
      ],
      [
        {
          label: 'Lift',
          run: async () => {
            await moderate(`/bans/${encodeURIComponent(ban.id)}`, { method: 'DELETE' });
            await refreshBans();
          },
        },
      ],
    ),
  );
}

/**
 * Refreshes the waiting room every LOBBY_REFRESH_MS, the other lists less often (the
 * invites also when someone came or went: a use may have been taken), one round at a time.
 * A refused host token (401, 403) stops it: asking again would not help.
 */
async function refreshLoop(current, round) {
  if (session !== current) return;
  const everyList = round % LISTS_REFRESH_EVERY === 0;
  try {
    const lobbyChanged = await refreshLobby();
    await Promise.all([
      lobbyChanged || everyList ? refreshInvites() : undefined,
      everyList ? refreshBans() : undefined,
    ]);
    if (session === current) showError('refresh-error', '');
  } catch (error) {
    if (session !== current) return;
    showError('refresh-error', explainError(error, current.serverUrl, HOST_WORDS));
    if (error instanceof TokenServerError && (error.status === 401 || error.status === 403)) {
      return;
    }
  }
  if (session === current) {
    current.timer = setTimeout(() => refreshLoop(current, round + 1), LOBBY_REFRESH_MS);
  }
}

function useToken(event) {
  event.preventDefault();
  clearTimeout(session?.timer);
  session = undefined;
  byId('moderation').hidden = true;
  byId('new-invite').hidden = true;
  showError('token-error', '');
  showError('moderation-error', '');
  showError('refresh-error', '');
  const token = byId('host-token').value.trim();
  let host;
  try {
    host = readHostToken(token);
  } catch (error) {
    showError('token-error', error.message);
    return;
  }
  session = { serverUrl: byId('token-server-url').value.trim(), token, room: host.room };
  for (const list of Object.keys(shown)) shown[list] = undefined;
  byId('room').textContent = host.room;
  byId('host-identity').textContent = host.identity;
  byId('host-expires').textContent =
    host.exp === undefined ? 'never' : `at ${new Date(host.exp * 1000).toLocaleString()}`;
  byId('moderation').hidden = false;
  refreshLoop(session, 0);
}

/** The join page's link for a code: this site's /join, with the token server when not the default. */
function joinLink(code, serverUrl) {
  const link = new URL('/join', location.origin);
  link.searchParams.set('code', code);
  if (serverUrl !== DEFAULT_TOKEN_SERVER_URL) link.searchParams.set('server', serverUrl);
  return link.href;
}

function createInvite(event) {
  event.preventDefault();
  byId('new-invite').hidden = true;
  return act(async () => {
    const { body: invite } = await moderate('/invites', {
      method: 'POST',
      body: {
        room: session.room,
        role: byId('invite-role').value.trim(),
        max_uses: Number(byId('invite-max-uses').value),
        expires_in_seconds: Number(byId('invite-expires').value),
        waiting_room: byId('invite-waiting-room').checked,
      },
    });
    const link = joinLink(invite.code, session.serverUrl);
    byId('join-link').textContent = link;
    byId('join-link').href = link;
    byId('invite-code').textContent = invite.code;
    // Only an http(s) link becomes a link: never a `javascript:` URL, whoever sent it.
    const serverLink = typeof invite.url === 'string' && /^https?:\/\//.test(invite.url);
    byId('server-link-line').hidden = !serverLink;
    if (serverLink) {
      byId('server-link').textContent = invite.url;
      byId('server-link').href = invite.url;
    }
    byId('copy-link').textContent = 'Copy';
    byId('new-invite').hidden = false;
    await refreshInvites();
  });
}

async function copyLink() {
  try {
    await navigator.clipboard.writeText(byId('join-link').href);
    byId('copy-link').textContent = 'Copied';
  } catch {
    byId('copy-link').textContent = 'Select the link to copy it';
  }
}

function ban(event) {
  event.preventDefault();
  return act(async () => {
    const reason = byId('ban-reason').value.trim();
    await moderate('/bans', {
      method: 'POST',
      body: {
        identity: byId('ban-identity').value.trim(),
        room: session.room,
        ...(reason === '' ? {} : { reason }),
      },
    });
    byId('ban-identity').value = '';
    byId('ban-reason').value = '';
    await refreshBans();
  });
}

byId('token-server-url').value = initialTokenServerUrl();
byId('host-form').addEventListener('submit', useToken);
byId('invite-form').addEventListener('submit', createInvite);
byId('ban-form').addEventListener('submit', ban);
byId('copy-link').addEventListener('click', copyLink);
byId('use-token').disabled = false;
