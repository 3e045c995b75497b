// A page of GET /bans: how many bans it holds, and its `next` as text, the creation time and
// id of the page's last ban (`<ms>.<id>`). Callers pass `next` back as `after` and need not
// read it; the cursor of a ban lifted meanwhile still marks the place.
import type { BanCursor } from '../moderation/store';
import { BAN_ID_PATTERN } from './ban-view';

/** Bans a page holds, unless `limit` says otherwise, and at most. */
export const DEFAULT_BANS_PAGE = 100;
export const MAX_BANS_PAGE = 1000;

/** The text of a cursor this server gives: anything else is refused as `after`. */
export const BAN_CURSOR_PATTERN = new RegExp(`^\\d{1,15}\\.${BAN_ID_PATTERN.source.slice(1)}`);

/** The cursor as `next` answers it. */
export function banCursorText(cursor: BanCursor): string {
  return `${cursor.createdAtMs}.${cursor.id}`;
}

/** The cursor of a text matching BAN_CURSOR_PATTERN. */
export function parseBanCursor(text: string): BanCursor {
  const dot = text.indexOf('.');
  return { createdAtMs: Number(text.slice(0, dot)), id: text.slice(dot + 1) };
}
