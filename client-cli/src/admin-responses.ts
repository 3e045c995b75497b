// What the token server's moderation API answers (POST/GET /bans, GET/PUT /rooms/{room},
// GET /rooms/{room}/audit, POST/GET /invites, GET /rooms/{room}/lobby and its decisions), and
// the checks that an answer really has that shape: an answer from another service, or from a
// server without the moderation API, must not pass.
import { isRecord } from './responses';

/** A ban, as the server answers it. */
export interface BanView {
  id: string;
  /** The identity kept out. */
  identity: string;
  /** The room it holds for; null for every room. */
  room: string | null;
  reason: string | null;
  /** ISO 8601. */
  created_at: string;
  /** ISO 8601; null until lifted. */
  expires_at: string | null;
  /** Who banned: a caller label, such as `api-key:ops`. */
  created_by: string;
}

/** The answer of `GET /bans`. */
export interface BanList {
  bans: BanView[];
  /** Where the next page starts; absent on the last page. */
  next?: string;
}

/** The answer of `GET` and `PUT /rooms/{room}`. */
export interface RoomView {
  room: string;
  /** The room's cap; null for none. */
  max_participants: number | null;
  /** Identities present. */
  participants: string[];
  /** Identities holding a seat that have not joined yet. */
  seats_held: string[];
  seats_used: number;
  /** ISO 8601; null when presence was never heard of. */
  last_heard_at: string | null;
}

/** One entry of a room's audit trail. */
export interface AuditEntryView {
  id: string;
  /** ISO 8601. */
  at: string;
  /** What happened, such as `ban_added`. */
  event: string;
  room: string | null;
  identity: string | null;
  actor: string | null;
  request_id: string | null;
  /** Event-specific facts, flat and small. */
  details: Record<string, unknown>;
}

/** The answer of `GET /rooms/{room}/audit`; `next` is absent on the last page. */
export interface AuditPageView {
  entries: AuditEntryView[];
  next?: string;
}

/** An invite, as `GET /invites` lists it: everything but its code. */
export interface InviteView {
  id: string;
  room: string;
  /** The role whose grants the guest's token carries. */
  role: string;
  max_uses: number;
  uses: number;
  /** ISO 8601. */
  expires_at: string;
  /** The identity the guest gets; null for a `guest-<random>` one. */
  identity: string | null;
  /** The display name the guest gets, unless it gives one; null for none. */
  name: string | null;
  /** Whether a moderator must admit each guest. */
  waiting_room: boolean;
  /** ISO 8601. */
  created_at: string;
  /** Who invited: a caller label, such as `api-key:ops`. */
  created_by: string;
}

/** The answer of `POST /invites`: the invite and its code, which the server answers only here. */
export interface CreatedInvite extends InviteView {
  /** The code, as the guest types it: `kfmw-ptra-hxce-bnqd`. */
  code: string;
  /** A link that carries the code, when the server has INVITE_URL_BASE. */
  url?: string;
}

/** The answer of `GET /invites?room=`. */
export interface InviteList {
  invites: InviteView[];
}

/** A guest waiting in a room's waiting room. */
export interface LobbyEntryView {
  id: string;
  identity: string;
  name: string | null;
  role: string;
  /** When the guest started waiting; ISO 8601. */
  since: string;
  /** When the guest stops waiting, unless admitted or denied first; ISO 8601. */
  expires_at: string;
}

/** The answer of `GET /rooms/{room}/lobby`: who is waiting, oldest first. */
export interface LobbyList {
  waiting: LobbyEntryView[];
}

/** The answer of `POST /rooms/{room}/lobby/{id}/admit` and `.../deny`. */
export interface LobbyDecisionView {
  id: string;
  status: 'admitted' | 'denied';
  identity: string;
  name: string | null;
  role: string;
  /** ISO 8601. */
  since: string;
  /** ISO 8601. */
  decided_at: string;
  /** Who decided: a caller label. */
  decided_by: string;
}

/** An answer as received: parsed, and its text, so that --json can print it as it is. */
export interface Received<T> {
  value: T;
  text: string;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringOrNull = (value: unknown): boolean => value === null || isString(value);
const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every(isString);
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Whether `value` is a ban. */
export function isBanView(value: unknown): value is BanView {
  return (
    isRecord(value) &&
    isString(value.id) &&
    isString(value.identity) &&
    isStringOrNull(value.room) &&
    isStringOrNull(value.reason) &&
    isString(value.created_at) &&
    isStringOrNull(value.expires_at) &&
    isString(value.created_by)
  );
}

/** Whether `value` is the answer of `GET /bans`. */
export function isBanList(value: unknown): value is BanList {
  return (
    isRecord(value) &&
    Array.isArray(value.bans) &&
    value.bans.every(isBanView) &&
    (value.next === undefined || (isString(value.next) && value.next !== ''))
  );
}

/** Whether `value` is a room view. */
export function isRoomView(value: unknown): value is RoomView {
  return (
    isRecord(value) &&
    isString(value.room) &&
    (value.max_participants === null || isCount(value.max_participants)) &&
    isStringArray(value.participants) &&
    isStringArray(value.seats_held) &&
    isCount(value.seats_used) &&
    isStringOrNull(value.last_heard_at)
  );
}

function isAuditEntry(value: unknown): value is AuditEntryView {
  return (
    isRecord(value) &&
    isString(value.id) &&
    isString(value.at) &&
    isString(value.event) &&
    isStringOrNull(value.room) &&
    isStringOrNull(value.identity) &&
    isStringOrNull(value.actor) &&
    isStringOrNull(value.request_id) &&
    isRecord(value.details)
  );
}

/** Whether `value` is a page of the audit trail; a `next` must be a cursor, not empty. */
export function isAuditPage(value: unknown): value is AuditPageView {
  return (
    isRecord(value) &&
    Array.isArray(value.entries) &&
    value.entries.every(isAuditEntry) &&
    (value.next === undefined || (isString(value.next) && value.next !== ''))
  );
}

/** Whether `value` is an invite as listed, without its code. */
export function isInviteView(value: unknown): value is InviteView {
  return (
    isRecord(value) &&
    isString(value.id) &&
    isString(value.room) &&
    isString(value.role) &&
    isCount(value.max_uses) &&
    isCount(value.uses) &&
    isString(value.expires_at) &&
    isStringOrNull(value.identity) &&
    isStringOrNull(value.name) &&
    typeof value.waiting_room === 'boolean' &&
    isString(value.created_at) &&
    isString(value.created_by)
  );
}

/** Whether `value` is the answer of `POST /invites`: an invite with a code, and a url or none. */
export function isCreatedInvite(value: unknown): value is CreatedInvite {
  return (
    isInviteView(value) &&
    isRecord(value) &&
    isString(value.code) &&
    value.code !== '' &&
    (value.url === undefined || isString(value.url))
  );
}

/** Whether `value` is the answer of `GET /invites`. */
export function isInviteList(value: unknown): value is InviteList {
  return isRecord(value) && Array.isArray(value.invites) && value.invites.every(isInviteView);
}

function isLobbyEntry(value: unknown): value is LobbyEntryView {
  return (
    isRecord(value) &&
    isString(value.id) &&
    isString(value.identity) &&
    isStringOrNull(value.name) &&
    isString(value.role) &&
    isString(value.since) &&
    isString(value.expires_at)
  );
}

/** Whether `value` is the answer of `GET /rooms/{room}/lobby`. */
export function isLobbyList(value: unknown): value is LobbyList {
  return isRecord(value) && Array.isArray(value.waiting) && value.waiting.every(isLobbyEntry);
}

/** Whether `value` is the answer of an admit or a deny. */
export function isLobbyDecision(value: unknown): value is LobbyDecisionView {
  return (
    isRecord(value) &&
    isString(value.id) &&
    (value.status === 'admitted' || value.status === 'denied') &&
    isString(value.identity) &&
    isStringOrNull(value.name) &&
    isString(value.role) &&
    isString(value.since) &&
    isString(value.decided_at) &&
    isString(value.decided_by)
  );
}
