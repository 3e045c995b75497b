// token-admin's requests to the moderation API (bans, rooms, the audit trail, invites and the
// waiting room), sent by server-request.ts (the credentials, the timeout, the refusals), and
// the checks that each answer is what it asked for. Names in a path are percent-encoded;
// filters travel in the query. It knows nothing of the command line.
import {
  isAuditPage,
  isBanList,
  isBanView,
  isCreatedInvite,
  isInviteList,
  isLobbyDecision,
  isLobbyList,
  isRoomView,
  type AuditPageView,
  type BanList,
  type BanView,
  type CreatedInvite,
  type InviteList,
  type LobbyDecisionView,
  type LobbyList,
  type Received,
  type RoomView,
} from './admin-responses';
import { followPages, readPageOf, type FollowedPages } from './admin-pages';
import { TokenServerError } from './client-errors';
import {
  sendJson,
  type Fetch,
  type JsonAnswer,
  type ServerRequest,
  type ServerRequestOptions,
} from './server-request';

/** A ban to add: the body of `POST /bans`. */
export interface NewBan {
  identity: string;
  /** Absent: every room. */
  room?: string;
  reason?: string;
  /** Absent: until lifted. */
  durationSeconds?: number;
}

/** What to list bans by; absent fields match all. */
export interface BanFilter {
  room?: string;
  identity?: string;
  /** Start after this cursor, a page's `next`. */
  after?: string;
}

/** What to read of a room's audit trail. */
export interface AuditQuery {
  room: string;
  /** ISO 8601: entries at or after. */
  since?: string;
  /** ISO 8601: entries before. */
  until?: string;
  identity?: string;
  /** Entries per page, 1 to 1000; the server's default (100) when absent. */
  limit?: number;
  /** The `next` of the previous page. */
  after?: string;
}

/** `POST /bans`: adds a ban and answers it. */
export async function addBan(
  ban: NewBan,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<Received<BanView>> {
  const body = {
    identity: ban.identity,
    ...(ban.room === undefined ? {} : { room: ban.room }),
    ...(ban.reason === undefined ? {} : { reason: ban.reason }),
    ...(ban.durationSeconds === undefined ? {} : { duration_seconds: ban.durationSeconds }),
  };
  return answerOf(
    await sendJson({ method: 'POST', path: '/bans', body }, options, fetch),
    isBanView,
    'a ban',
  );
}

/** Bans a page of `GET /bans` asks for: the server's most. */
export const BANS_PAGE = 1000;

/** `GET /bans`: one page of the bans in force matching `filter`, after `filter.after`. */
export async function readBansPage(
  filter: BanFilter,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<Received<BanList>> {
  const path = `/bans${query({
    room: filter.room,
    identity: filter.identity,
    limit: String(BANS_PAGE),
    after: filter.after,
  })}`;
  return answerOf(await get(path, options, fetch), isBanList, 'a list of bans');
}

/** The bans in force matching `filter`, every page joined; `next` when a bound stopped it. */
export async function listBans(
  filter: BanFilter,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<FollowedPages<BanView>> {
  return followPages(
    async (after) => {
      const page = await readBansPage(
        { ...filter, ...(after === undefined ? {} : { after }) },
        options,
        fetch,
      );
      return readPageOf(page, page.value.bans);
    },
    filter.after,
    { serverUrl: options.serverUrl, path: '/bans', what: 'ban' },
  );
}

/** `DELETE /bans/{id}`: lifts a ban. */
export async function removeBan(
  id: string,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<void> {
  await sendJson({ method: 'DELETE', path: `/bans/${encodeURIComponent(id)}` }, options, fetch);
}

/** `GET /rooms/{room}`: the room's cap and who is in it. */
export async function showRoom(
  room: string,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<Received<RoomView>> {
  return answerOf(await get(roomPath(room), options, fetch), isRoomView, 'a room');
}

/** `PUT /rooms/{room}`: sets the room's cap, or clears it with null. */
export async function setRoomLimit(
  room: string,
  maxParticipants: number | null,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<Received<RoomView>> {
  const request: ServerRequest = {
    method: 'PUT',
    path: roomPath(room),
    body: { max_participants: maxParticipants },
  };
  return answerOf(await sendJson(request, options, fetch), isRoomView, 'a room');
}

/** `GET /rooms/{room}/audit`: one page of the room's audit trail. */
export async function readAuditPage(
  audit: AuditQuery,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<Received<AuditPageView>> {
  const path = `${roomPath(audit.room)}/audit${query({
    since: audit.since,
    until: audit.until,
    identity: audit.identity,
    limit: audit.limit === undefined ? undefined : String(audit.limit),
    after: audit.after,
  })}`;
  return answerOf(await get(path, options, fetch), isAuditPage, 'a page of the audit trail');
}

/** The pages of the audit trail read one after the other, joined. */
export interface WholeAudit {
  entries: AuditPageView['entries'];
  /** How many pages were read. */
  pages: number;
  /** Present when a bound stopped the reading: the cursor to go on from. */
  next?: string;
}

/**
 * `GET /rooms/{room}/audit` page after page, following `next` until the last page or a
 * bound of followPages. A `next` the server gave before is an UNEXPECTED_RESPONSE.
 */
export async function readWholeAudit(
  audit: AuditQuery,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<WholeAudit> {
  const followed = await followPages(
    async (after) => {
      const page = await readAuditPage(
        { ...audit, ...(after === undefined ? {} : { after }) },
        options,
        fetch,
      );
      return readPageOf(page, page.value.entries);
    },
    audit.after,
    { serverUrl: options.serverUrl, path: `${roomPath(audit.room)}/audit`, what: 'audit' },
  );
  return {
    entries: followed.items,
    pages: followed.pages,
    ...(followed.next === undefined ? {} : { next: followed.next }),
  };
}

/** An invite to make: the body of `POST /invites`; absent fields are the server's defaults. */
export interface NewInvite {
  room: string;
  /** Absent: the server's DEFAULT_ROLE. */
  role?: string;
  /** Absent: 1. */
  maxUses?: number;
  /** Absent: 86400 (a day). */
  expiresInSeconds?: number;
  /** Absent: each guest gets a `guest-<random>` identity. */
  identity?: string;
  name?: string;
  /** Absent: false, guests join at once. */
  waitingRoom?: boolean;
}

/** `POST /invites`: makes an invite and answers it with its code, shown only this once. */
export async function createInvite(
  invite: NewInvite,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<Received<CreatedInvite>> {
  const body = {
    room: invite.room,
    ...(invite.role === undefined ? {} : { role: invite.role }),
    ...(invite.maxUses === undefined ? {} : { max_uses: invite.maxUses }),
    ...(invite.expiresInSeconds === undefined
      ? {}
      : { expires_in_seconds: invite.expiresInSeconds }),
    ...(invite.identity === undefined ? {} : { identity: invite.identity }),
    ...(invite.name === undefined ? {} : { name: invite.name }),
    ...(invite.waitingRoom === undefined ? {} : { waiting_room: invite.waitingRoom }),
  };
  return answerOf(
    await sendJson({ method: 'POST', path: '/invites', body }, options, fetch),
    isCreatedInvite,
    'an invite',
  );
}

/** `GET /invites?room=`: the room's invites, without their codes. */
export async function listInvites(
  room: string,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<Received<InviteList>> {
  return answerOf(
    await get(`/invites${query({ room })}`, options, fetch),
    isInviteList,
    'a list of invites',
  );
}

/** `DELETE /invites/{id}`: revokes an invite; its code then finds nothing. */
export async function revokeInvite(
  id: string,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<void> {
  await sendJson({ method: 'DELETE', path: `/invites/${encodeURIComponent(id)}` }, options, fetch);
}

/** `GET /rooms/{room}/lobby`: the guests waiting to be admitted, oldest first. */
export async function listLobby(
  room: string,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<Received<LobbyList>> {
  return answerOf(
    await get(`${roomPath(room)}/lobby`, options, fetch),
    isLobbyList,
    'a waiting room',
  );
}

/** What a moderator decides for a waiting guest, and the status the server then answers. */
export type LobbyDecision = 'admit' | 'deny';
const DECIDED: Record<LobbyDecision, LobbyDecisionView['status']> = {
  admit: 'admitted',
  deny: 'denied',
};

/** `POST /rooms/{room}/lobby/{id}/admit` or `.../deny`: decides for one waiting guest. */
export async function decideLobbyEntry(
  room: string,
  id: string,
  decision: LobbyDecision,
  options: ServerRequestOptions,
  fetch: Fetch,
): Promise<Received<LobbyDecisionView>> {
  const path = `${roomPath(room)}/lobby/${encodeURIComponent(id)}/${decision}`;
  // An answer with the other status would be worse than none: the guest got the wrong one.
  const isThisDecision = (value: unknown): value is LobbyDecisionView =>
    isLobbyDecision(value) && value.status === DECIDED[decision];
  return answerOf(
    await sendJson({ method: 'POST', path }, options, fetch),
    isThisDecision,
    `the guest ${DECIDED[decision]}`,
  );
}

function get(path: string, options: ServerRequestOptions, fetch: Fetch): Promise<JsonAnswer> {
  return sendJson({ method: 'GET', path }, options, fetch);
}

function roomPath(room: string): string {
  return `/rooms/${encodeURIComponent(room)}`;
}

/** `?a=1&b=2` of the fields given; empty when none is. */
function query(fields: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) params.set(name, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The answer, when `check` says it is `what`; otherwise an UNEXPECTED_RESPONSE. */
function answerOf<T>(
  answer: JsonAnswer,
  check: (value: unknown) => value is T,
  what: string,
): Received<T> {
  if (!check(answer.body)) {
    const serverUrl = answer.context.serverUrl ?? 'the token server';
    throw new TokenServerError(
      answer.status,
      'UNEXPECTED_RESPONSE',
      `The server at ${serverUrl} answered ${answer.status} without ${what}; is it a token server with the moderation API?`,
      answer.context,
    );
  }
  return { value: answer.body, text: answer.text };
}
