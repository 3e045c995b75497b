import { turnBatch, turnQueue } from '../../../server/src/moderation/turn-batch';

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

describe('turnQueue', () => {
  it("answers each item of a turn's write with its own answer, in order", async () => {
    const writes: number[][] = [];
    const queue = turnQueue<number, string>(async (items) => {
      writes.push(items);
      return items.map((item) => `seat ${item}`);
    });
    const answers = await Promise.all([queue.add(1), queue.add(2), queue.add(3)]);
    expect(answers).toEqual(['seat 1', 'seat 2', 'seat 3']);
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('answers each write of a split turn from that write', async () => {
    const queue = turnQueue<number, number>(async (items) => items.map((item) => item * 10), 2);
    expect(await Promise.all([1, 2, 3].map((item) => queue.add(item)))).toEqual([10, 20, 30]);
  });

  it('rejects only the items of the write that failed', async () => {
    const queue = turnQueue<number, number>(async (items) => {
      if (items.includes(3)) throw new Error('database is locked');
      return items;
    }, 2);
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => queue.add(item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toEqual(new Error('database is locked'));
  });
});
