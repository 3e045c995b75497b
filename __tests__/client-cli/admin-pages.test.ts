import {
  followPages,
  MAX_PAGES_FOLLOWED,
  MAX_TEXT_FOLLOWED_BYTES,
  type ReadPage,
} from '../../client-cli/src/admin-pages';
import { TokenServerError } from '../../client-cli/src/client-errors';

const source = { serverUrl: 'http://127.0.0.1:1', path: '/bans', what: 'ban' };

/** Pages of `count` numbers each, `pages` of them, cursors `c1`, `c2`... */
function numberedPages(pages: number, count: number, text = '') {
  const asked: Array<string | undefined> = [];
  const readPage = async (after: string | undefined): Promise<ReadPage<number>> => {
    asked.push(after);
    const index = after === undefined ? 0 : Number(after.slice(1));
    const items = Array.from({ length: count }, (_, item) => index * count + item);
    return { items, text, ...(index + 1 < pages ? { next: `c${index + 1}` } : {}) };
  };
  return { asked, readPage };
}

describe('followPages', () => {
  it('follows next to the last page, joining the items in order', async () => {
    const { asked, readPage } = numberedPages(3, 2);
    expect(await followPages(readPage, undefined, source)).toEqual({
      items: [0, 1, 2, 3, 4, 5],
      pages: 3,
    });
    expect(asked).toEqual([undefined, 'c1', 'c2']);
  });

  it('starts after the cursor given', async () => {
    const { asked, readPage } = numberedPages(3, 1);
    expect(await followPages(readPage, 'c1', source)).toEqual({ items: [1, 2], pages: 2 });
    expect(asked).toEqual(['c1', 'c2']);
  });

  it(`stops after ${MAX_PAGES_FOLLOWED} pages, answering where to go on`, async () => {
    const { readPage } = numberedPages(MAX_PAGES_FOLLOWED + 5, 1);
    const followed = await followPages(readPage, undefined, source);
    expect(followed.pages).toBe(MAX_PAGES_FOLLOWED);
    expect(followed.next).toBe(`c${MAX_PAGES_FOLLOWED}`);
  });

  it('stops once the pages add up to 16 MiB of text', async () => {
    const quarter = 'x'.repeat(MAX_TEXT_FOLLOWED_BYTES / 4);
    const { readPage } = numberedPages(10, 1, quarter);
    const followed = await followPages(readPage, undefined, source);
    expect(followed).toEqual({ items: [0, 1, 2, 3], pages: 4, next: 'c4' });
  });

  it('refuses a cursor given before, the one it started from too, as UNEXPECTED_RESPONSE', async () => {
    const again = async (): Promise<ReadPage<number>> => ({ items: [], text: '', next: 'c1' });
    for (const first of [undefined, 'c1']) {
      const refused = followPages(again, first, source);
      await expect(refused).rejects.toBeInstanceOf(TokenServerError);
      await expect(refused).rejects.toMatchObject({
        code: 'UNEXPECTED_RESPONSE',
        message: expect.stringContaining('the same ban cursor twice'),
      });
    }
  });
});
