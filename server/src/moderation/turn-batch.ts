// Items gathered during one turn of the event loop and written together at the next: audit
// entries, and a turn's tokens' seats (SQLite) or admissions (Redis); one write for a
// turn's items (one SQLite commit, one Redis script call) costs far less than a write each
// (bench/README.md). A batch may also answer each item (a seat claimed, or a token
// admitted, for each token of the turn). A leaf module: it imports nothing of ours.

/** A queue written a turn at a time, answering each item with `R`. */
export interface TurnBatch<T, R = void> {
  /** Queues an item; settles once the write holding it has, with its answer or the error. */
  add(item: T): Promise<R>;
  /** Writes what waits now, without waiting for the next turn; settles once written. */
  flush(): Promise<void>;
}

/**
 * A batch written by `write`, at most `maxItems` items a call; `write` answers each item,
 * in order.
 */
export function turnQueue<T, R>(
  write: (items: T[]) => Promise<readonly R[]>,
  maxItems = Number.POSITIVE_INFINITY,
): TurnBatch<T, R> {
  const pending: Array<{
    item: T;
    resolve: (answer: R) => void;
    reject: (error: unknown) => void;
  }> = [];
  const flush = async (): Promise<void> => {
    const written: Array<Promise<void>> = [];
    while (pending.length > 0) {
      const batch = pending.splice(0, maxItems);
      written.push(
        write(batch.map(({ item }) => item)).then(
          (answers) => batch.forEach(({ resolve }, index) => resolve(answers[index] as R)),
          (error: unknown) => batch.forEach(({ reject }) => reject(error)),
        ),
      );
    }
    await Promise.all(written);
  };
  return {
    add: (item) =>
      new Promise<R>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (pending.length === 1) setImmediate(() => void flush());
      }),
    flush,
  };
}

/** A batch written by `write`, at most `maxItems` items a call, answering nothing. */
export function turnBatch<T>(
  write: (items: T[]) => Promise<unknown>,
  maxItems = Number.POSITIVE_INFINITY,
): TurnBatch<T> {
  return turnQueue<T, void>(async (items) => {
    await write(items);
    return [];
  }, maxItems);
}
