// Long polls of the lobby: a guest's GET /lobby/{id}?wait=N waits until a moderator decides,
// or N seconds pass. The decision may come to another instance, so the wait reads the store
// every LOBBY_RECHECK_MS; a decision made on this instance wakes its waits at once.
import type { LobbyEntry } from '../moderation/store';

/** How often a waiting poll reads the store for a decision made elsewhere, in ms. */
export const LOBBY_RECHECK_MS = 300;

/** The long polls of one app. */
export interface LobbyWaits {
  /** The entry once it is no longer waiting, or as last read when `waitMs` is over. */
  waitFor(entry: LobbyEntry, waitMs: number, signal: AbortSignal): Promise<LobbyEntry>;
  /** Wakes the waits for entry `id` at once: it was just decided here. */
  wake(id: string): void;
}

/** Long polls over `read`, which answers an entry as the store has it now. */
export function createLobbyWaits(
  read: (id: string) => Promise<LobbyEntry | undefined>,
): LobbyWaits {
  const wakers = new Map<string, Set<() => void>>();

  /** Resolves after `ms`, on a wake for `id`, or on abort, whichever comes first. */
  const pause = (id: string, ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        const waiting = wakers.get(id);
        waiting?.delete(done);
        if (waiting?.size === 0) wakers.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      wakers.set(id, (wakers.get(id) ?? new Set()).add(done));
    });

  return {
    waitFor: async (entry, waitMs, signal) => {
      const deadline = Date.now() + waitMs;
      let latest = entry;
      while (latest.status === 'waiting' && !signal.aborted) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        await pause(entry.id, Math.min(LOBBY_RECHECK_MS, left), signal);
        latest = (await read(entry.id)) ?? latest;
      }
      return latest;
    },
    wake: (id) => {
      for (const wake of [...(wakers.get(id) ?? [])]) wake();
    },
  };
}
