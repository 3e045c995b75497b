// Following a paged answer of the moderation API (`next`, passed back as `after`) page after
// page, joined, for `audit --all` and `bans list`: bounded, so that a server that never stops
// is not followed for ever, and refusing a cursor it gave before, which would loop.
import { TokenServerError } from './client-errors';
import type { Received } from './admin-responses';

/** How far a reading follows `next`: at most this many pages... */
export const MAX_PAGES_FOLLOWED = 100;
/** ...and no more pages once their text adds up to this many bytes (16 MiB). */
export const MAX_TEXT_FOLLOWED_BYTES = 16 * 1024 * 1024;

/** A page as read: its items and its `next`, with the text it came in. */
export interface ReadPage<Item> {
  items: Item[];
  next?: string;
  text: string;
}

/** The pages read one after the other, joined. */
export interface FollowedPages<Item> {
  items: Item[];
  /** How many pages were read. */
  pages: number;
  /** Present when a bound stopped the reading: the cursor to go on from. */
  next?: string;
}

/** Where the pages come from, for the error when a cursor comes back. */
export interface PagesSource {
  serverUrl: string;
  path: string;
  /** What the cursor pages: "audit", "ban". */
  what: string;
}

/** Reads `readPage(after)` from `first` (absent: the first page) until the last page or a bound. */
export async function followPages<Item>(
  readPage: (after: string | undefined) => Promise<ReadPage<Item>>,
  first: string | undefined,
  source: PagesSource,
): Promise<FollowedPages<Item>> {
  const items: Item[] = [];
  const cursorsSeen = new Set<string>(first === undefined ? [] : [first]);
  let after = first;
  let pages = 0;
  let textBytes = 0;
  for (;;) {
    const page = await readPage(after);
    pages += 1;
    textBytes += Buffer.byteLength(page.text);
    items.push(...page.items);
    const { next } = page;
    if (next === undefined) return { items, pages };
    if (cursorsSeen.has(next)) {
      throw new TokenServerError(
        200,
        'UNEXPECTED_RESPONSE',
        `The server at ${source.serverUrl} answered the same ${source.what} cursor twice; following it would never end.`,
        { path: source.path, serverUrl: source.serverUrl },
      );
    }
    cursorsSeen.add(next);
    if (pages >= MAX_PAGES_FOLLOWED || textBytes >= MAX_TEXT_FOLLOWED_BYTES) {
      return { items, pages, next };
    }
    after = next;
  }
}

/** A received page as followPages reads it. */
export function readPageOf<Item>(
  received: Received<{ next?: string }>,
  items: Item[],
): ReadPage<Item> {
  return {
    items,
    text: received.text,
    ...(received.value.next === undefined ? {} : { next: received.value.next }),
  };
}
