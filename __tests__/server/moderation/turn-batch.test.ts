import { turnBatch } from '../../../server/src/moderation/turn-batch';

describe('turnBatch', () => {
  it('writes the items added in one turn together, at the next, in order', async () => {
    const writes: number[][] = [];
    const batch = turnBatch<number>(async (items) => {
      writes.push(items);
    });
    const added = [batch.add(1), batch.add(2), batch.add(3)];
    expect(writes).toEqual([]);
    await Promise.all(added);
    await batch.add(4);
    expect(writes).toEqual([[1, 2, 3], [4]]);
  });

  it('splits a turn into writes of at most maxItems', async () => {
    const writes: string[][] = [];
    const batch = turnBatch<string>(async (items) => {
      writes.push(items);
    }, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => batch.add(item)));
    expect(writes).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('rejects every item of a failed write with its error, and writes later ones anew', async () => {
    let fail = true;
    const written: number[] = [];
    const batch = turnBatch<number>(async (items) => {
      if (fail) throw new Error('disk full');
      written.push(...items);
    });
    const outcomes = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toEqual(new Error('disk full'));
    fail = false;
    await batch.add(3);
    expect(written).toEqual([3]);
  });

  it('writes what waits at once on flush, settling each item, and the next turn finds nothing', async () => {
    const writes: number[][] = [];
    const batch = turnBatch<number>(async (items) => {
      writes.push(items);
    });
    const added = batch.add(7);
    await batch.flush();
    await added;
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([[7]]);
  });
});
