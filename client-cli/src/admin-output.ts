// What token-admin prints for the moderation API's answers: short `label: value` lines for
// one ban or one room, a table for bans and the audit trail. Every string the server supplied
// goes through display-text.ts; --json prints the server's JSON (jsonAsReceived).
import type { AuditEntryView, BanView, RoomView } from './admin-responses';
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
