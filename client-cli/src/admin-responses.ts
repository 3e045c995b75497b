// What the token server's moderation API answers (POST/GET /bans, GET/PUT /rooms/{room},
// GET /rooms/{room}/audit), and the checks that an answer really has that shape: an answer
// from another service, or from a server without the moderation API, must not pass.
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
  return isRecord(value) && Array.isArray(value.bans) && value.bans.every(isBanView);
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
