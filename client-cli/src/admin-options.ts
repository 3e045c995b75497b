// token-admin's option values: what commander hands its actions, and the parsers of the
// values that only token-admin takes (a room's cap, an audit page size, a time, an invite's
// uses and lifetime). A bad value is a usage error (exit code 2) before anything is sent; the
// server has the final say.
import { InvalidArgumentError } from 'commander';
import { REQUEST_TOKEN_URLS, serverUrlParser, type ServerUrlCommand } from './options';

/** The options every token-admin command takes, given before or after the command. */
export interface AdminGlobalOptions {
  server?: string;
  apiKey?: string;
  bearer?: string;
  json?: boolean;
}

/** `bans add`'s options. */
export interface BanAddOptions {
  room?: string;
  reason?: string;
  duration?: number;
}

/** `bans list`'s options. */
export interface BanListOptions {
  room?: string;
  identity?: string;
  after?: string;
}

/** `audit`'s options. */
export interface AuditOptions {
  since?: string;
  until?: string;
  identity?: string;
  limit?: number;
  after?: string;
  all?: boolean;
}

/** `invites create`'s options. */
export interface InviteCreateOptions {
  role?: string;
  maxUses?: number;
  expiresIn?: number;
  identity?: string;
  name?: string;
  waitingRoom?: boolean;
}

/**
 * token-admin's server URL: request-token's routes and the moderation API's are refused at
 * the end of a base URL, since token-admin appends them itself.
 */
export const TOKEN_ADMIN_URLS: ServerUrlCommand = {
  name: 'token-admin',
  routes: [...REQUEST_TOKEN_URLS.routes, '/bans', '/rooms', '/invites'],
};

/** --server for token-admin: see serverUrlParser. */
export function parseAdminServerUrl(value: string): string {
  return serverUrlParser('--server', TOKEN_ADMIN_URLS)(value);
}

/** LiveKit's own bound on max_participants, a uint32, which the server applies too. */
export const MAX_ROOM_PARTICIPANTS = 4_294_967_295;

/** `rooms limit`'s <N|none>: a cap from 1 up, or null (`none`) for no cap. */
export function parseRoomLimit(value: string): number | null {
  const trimmed = value.trim();
  if (trimmed.toLowerCase() === 'none') return null;
  const limit = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || limit < 1 || limit > MAX_ROOM_PARTICIPANTS) {
    throw new InvalidArgumentError(
      `Expected a whole number of participants from 1 to ${MAX_ROOM_PARTICIPANTS}, like 50, or none to lift the cap.`,
    );
  }
  return limit;
}

/** The most entries the server answers in one page of the audit trail. */
export const MAX_AUDIT_LIMIT = 1000;

/** `audit --limit`: entries per page, 1 to 1000. */
export function parseAuditLimit(value: string): number {
  const trimmed = value.trim();
  const limit = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
    throw new InvalidArgumentError(
      `Expected a whole number of entries from 1 to ${MAX_AUDIT_LIMIT}, like 100.`,
    );
  }
  return limit;
}

/** A date, or a date and time with an optional offset, as ISO 8601 writes them. */
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** `audit --since` and `--until`: an ISO 8601 time, sent as given. */
export function parseIsoTime(value: string): string {
  const trimmed = value.trim();
  if (!ISO_TIME.test(trimmed) || Number.isNaN(Date.parse(trimmed))) {
    throw new InvalidArgumentError(
      'Expected an ISO 8601 time like 2030-01-02T03:04:05Z (or a date like 2030-01-02).',
    );
  }
  return trimmed;
}

/** The most uses of one invite, as the server allows. */
export const MAX_INVITE_USES = 10_000;

/** `invites create --max-uses`: how many guests may redeem the invite, 1 to 10000. */
export function parseMaxUses(value: string): number {
  return wholeNumberFrom(
    value,
    1,
    MAX_INVITE_USES,
    `Expected a whole number of uses from 1 to ${MAX_INVITE_USES}, like 1.`,
  );
}

/** The shortest life of an invite the server allows, in seconds: a minute. */
export const MIN_INVITE_SECONDS = 60;
/** The longest life of an invite the server allows, in seconds: 30 days. */
export const MAX_INVITE_SECONDS = 2_592_000;

/** `invites create --expires-in`: the invite's life in seconds, 60 to 2592000 (30 days). */
export function parseInviteSeconds(value: string): number {
  return wholeNumberFrom(
    value,
    MIN_INVITE_SECONDS,
    MAX_INVITE_SECONDS,
    `Expected a whole number of seconds from ${MIN_INVITE_SECONDS} to ${MAX_INVITE_SECONDS} (30 days), like 86400.`,
  );
}

/** `value` as a whole number from `least` to `most`, or commander's usage error `message`. */
function wholeNumberFrom(value: string, least: number, most: number, message: string): number {
  const trimmed = value.trim();
  const number = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || number < least || number > most) {
    throw new InvalidArgumentError(message);
  }
  return number;
}
