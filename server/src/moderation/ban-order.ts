// The order bans are listed in (oldest first, then by id, as both stores sort them) and
// the page a listing answers. Ids compare as text, as SQLite's BINARY collation and Redis's
// sorted sets compare them: ids are ASCII (random UUIDs), where the three agree.
import type { Ban, BanCursor, BanPage } from './store';

/** Negative when `a` is listed before `b`. */
export function compareBans(a: BanCursor, b: BanCursor): number {
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** True when `ban` is listed after `cursor` (every ban is, with no cursor). */
export function isAfter(ban: Ban, cursor: BanCursor | undefined): boolean {
  return cursor === undefined || compareBans(ban, cursor) > 0;
}

/**
 * The page of `limit` bans from `found`, which holds the bans after the page's cursor in
 * order, one more than `limit` when there are more: that one says a next page exists.
 */
export function pageOf(found: Ban[], limit: number): BanPage {
  const bans = found.slice(0, limit);
  const last = bans.at(-1);
  return found.length > limit && last !== undefined
    ? { bans, next: { createdAtMs: last.createdAtMs, id: last.id } }
    : { bans };
}
