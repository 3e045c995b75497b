// What token-admin prints for the moderation API's answers: short `label: value` lines for
// one ban, one room, one invite or one decision, a table for bans, the audit trail, invites
// and the waiting room. Every string the server supplied goes through display-text.ts; --json
// prints the server's JSON (jsonAsReceived).
import type {
  AuditEntryView,
  BanView,
  CreatedInvite,
  InviteView,
  LobbyDecisionView,
  LobbyEntryView,
  RoomView,
} from './admin-responses';
import { displayJson, displayText } from './display-text';
import { formatRows } from './output';

/** One ban, as `label: value` lines. */
export function formatBan(ban: BanView): string {
  return formatRows([
    ['ban', displayText(ban.id)],
    ['identity', displayText(ban.identity)],
    ['room', ban.room === null ? '(every room)' : displayText(ban.room)],
    ['reason', ban.reason === null ? '(none)' : displayText(ban.reason)],
    ['created at', displayText(ban.created_at)],
    ['expires at', ban.expires_at === null ? '(until lifted)' : displayText(ban.expires_at)],
    ['created by', displayText(ban.created_by)],
  ]);
}

/** The bans in force as a table, one per line, oldest first as the server lists them. */
export function formatBanList(bans: readonly BanView[]): string {
  if (bans.length === 0) return 'no bans in force\n';
  return formatTable(
    ['ID', 'IDENTITY', 'ROOM', 'EXPIRES AT', 'CREATED BY', 'REASON'],
    bans.map((ban) => [
      displayText(ban.id),
      displayText(ban.identity),
      ban.room === null ? '(every room)' : displayText(ban.room),
      ban.expires_at === null ? '(until lifted)' : displayText(ban.expires_at),
      displayText(ban.created_by),
      ban.reason === null ? '' : displayText(ban.reason),
    ]),
  );
}

/** A room's cap and occupancy, as `label: value` lines. */
export function formatRoom(view: RoomView): string {
  const list = (identities: readonly string[]) =>
    identities.length === 0
      ? '(none)'
      : identities.map((identity) => displayText(identity)).join(', ');
  return formatRows([
    ['room', displayText(view.room)],
    [
      'max participants',
      view.max_participants === null ? '(no cap)' : String(view.max_participants),
    ],
    [
      'seats used',
      view.max_participants === null
        ? String(view.seats_used)
        : `${view.seats_used} of ${view.max_participants}`,
    ],
    ['participants', list(view.participants)],
    ['seats held', list(view.seats_held)],
    ['last heard at', view.last_heard_at === null ? '(never)' : displayText(view.last_heard_at)],
  ]);
}

/** Audit entries as a table, oldest first. */
export function formatAudit(entries: readonly AuditEntryView[]): string {
  if (entries.length === 0) return 'no audit entries\n';
  const orNone = (value: string | null) => (value === null ? '-' : displayText(value));
  return formatTable(
    ['AT', 'EVENT', 'IDENTITY', 'ACTOR', 'DETAILS'],
    entries.map((entry) => [
      displayText(entry.at),
      displayText(entry.event),
      orNone(entry.identity),
      orNone(entry.actor),
      Object.keys(entry.details).length === 0 ? '' : displayText(displayJson(entry.details)),
    ]),
  );
}

/**
 * The line on stderr after a page that is not the last: how to read on. The cursor is the
 * server's, shown inert.
 */
export function formatMore(room: string, next: string, stoppedByBound: boolean): string {
  const why = stoppedByBound ? '--all stopped at its bound; ' : '';
  return `${why}more entries: token-admin audit ${displayText(room)} --after ${displayText(next)} (or --all)\n`;
}

/** Where `bans list` stopped at its bound, and the command that goes on from there. */
export function formatMoreBans(filter: { room?: string; identity?: string }, next: string): string {
  const room = filter.room === undefined ? '' : ` --room ${displayText(filter.room)}`;
  const identity =
    filter.identity === undefined ? '' : ` --identity ${displayText(filter.identity)}`;
  return `bans list stopped at its bound; more bans: token-admin bans list${room}${identity} --after ${displayText(next)}\n`;
}

/**
 * A new invite: its code (and link) first and apart, since the server shows it this once and
 * keeps only its hash; then what the invite grants.
 */
export function formatCreatedInvite(invite: CreatedInvite): string {
  const secret: Array<[label: string, value: string]> = [['code', displayText(invite.code)]];
  if (invite.url !== undefined) secret.push(['url', displayText(invite.url)]);
  return [
    formatRows(secret),
    'The code is shown only this once: pass it on now (request-token --invite <code>).\n',
    '\n',
    formatRows([
      ['invite', displayText(invite.id)],
      ['room', displayText(invite.room)],
      ['role', displayText(invite.role)],
      ['uses', `${invite.uses} of ${invite.max_uses}`],
      ['expires at', displayText(invite.expires_at)],
      ['identity', invite.identity === null ? '(guest-<random>)' : displayText(invite.identity)],
      ['name', invite.name === null ? '(none)' : displayText(invite.name)],
      ['waiting room', invite.waiting_room ? 'yes: a moderator admits each guest' : 'no'],
      ['created at', displayText(invite.created_at)],
      ['created by', displayText(invite.created_by)],
    ]),
  ].join('');
}

/** A room's invites as a table, as the server lists them. */
export function formatInviteList(invites: readonly InviteView[]): string {
  if (invites.length === 0) return 'no invites\n';
  return formatTable(
    ['ID', 'ROLE', 'USES', 'EXPIRES AT', 'WAITING ROOM', 'IDENTITY'],
    invites.map((invite) => [
      displayText(invite.id),
      displayText(invite.role),
      `${invite.uses}/${invite.max_uses}`,
      displayText(invite.expires_at),
      invite.waiting_room ? 'yes' : 'no',
      invite.identity === null ? '(guest-<random>)' : displayText(invite.identity),
    ]),
  );
}

/** The guests waiting in a room's waiting room, oldest first, as a table. */
export function formatLobby(waiting: readonly LobbyEntryView[]): string {
  if (waiting.length === 0) return 'no one is waiting\n';
  return formatTable(
    ['ID', 'IDENTITY', 'NAME', 'ROLE', 'SINCE', 'EXPIRES AT'],
    waiting.map((entry) => [
      displayText(entry.id),
      displayText(entry.identity),
      entry.name === null ? '' : displayText(entry.name),
      displayText(entry.role),
      displayText(entry.since),
      displayText(entry.expires_at),
    ]),
  );
}

/** A moderator's decision for a waiting guest, as `label: value` lines. */
export function formatLobbyDecision(decision: LobbyDecisionView): string {
  return formatRows([
    [decision.status, displayText(decision.identity)],
    ['name', decision.name === null ? '(none)' : displayText(decision.name)],
    ['role', displayText(decision.role)],
    ['entry', displayText(decision.id)],
    ['waiting since', displayText(decision.since)],
    ['decided at', displayText(decision.decided_at)],
    ['decided by', displayText(decision.decided_by)],
  ]);
}

/** Rows under a header, each column as wide as its widest cell; no trailing spaces. */
function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => [...(row[column] ?? '')].length)),
  );
  return all
    .map(
      (row) =>
        `${row
          .map((cell, column) =>
            cell.padEnd((widths[column] ?? 0) + cell.length - [...cell].length),
          )
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}
