// Items gathered during one turn of the event loop and written together at the next: every
// token issued appends an audit entry, and one write for a turn's entries (one SQLite
// commit, one Redis script call) costs far less than a write each (bench/README.md).
// A leaf module: it imports nothing of ours.

/** A queue written a turn at a time. */
export interface TurnBatch<T> {
  /** Queues an item; settles once the write holding it has, with that write's outcome. */
  add(item: T): Promise<void>;
  /** Writes what waits now, without waiting for the next turn; settles once written. */
  flush(): Promise<void>;
}

/** A batch written by `write`, at most `maxItems` items a call. */
export function turnBatch<T>(
  write: (items: T[]) => Promise<unknown>,
  maxItems = Number.POSITIVE_INFINITY,
): TurnBatch<T> {
  const pending: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  const flush = async (): Promise<void> => {
    const written: Array<Promise<void>> = [];
    while (pending.length > 0) {
      const batch = pending.splice(0, maxItems);
      written.push(
        write(batch.map(({ item }) => item)).then(
          () => batch.forEach(({ resolve }) => resolve()),
          (error: unknown) => batch.forEach(({ reject }) => reject(error)),
        ),
      );
    }
    await Promise.all(written);
  };
  return {
    add: (item) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (pending.length === 1) setImmediate(() => void flush());
      }),
    flush,
  };
}
