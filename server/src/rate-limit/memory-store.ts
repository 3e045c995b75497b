// Budgets in this process's memory: rate-limiter-flexible's RateLimiterMemory, with a cap
// on the callers it tracks.
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import type { BudgetLimiter, LimiterStatus, LimiterStore } from './types';

/**
 * The most callers one budget tracks; past it, the caller whose window began longest ago
 * is forgotten. Bounds memory whatever the traffic: made-up forwarded addresses once grew
 * the heap to 2.5 GB. RateLimiterMemory keeps a record and a timer per caller, some 470
 * bytes with our own entry: 100,000 callers take about 47 MB per budget.
 */
export const MAX_TRACKED_CALLERS = 100_000;

/**
 * RateLimiterMemory that forgets the caller whose window began first once it tracks
 * `maxTrackedCallers`: the library's store has no cap of its own, so this keeps the order
 * windows began in, and deletes the oldest from the library to make room. A caller
 * forgotten early starts a new window on its next request.
 *
 * The library's promise costs some 0.3 µs more per request than the hand-written Map it
 * replaces (a loop of a million consumes on one key, Node 20): far below the noise of a
 * /token request.
 */
export class BoundedMemoryLimiter extends RateLimiterMemory implements BudgetLimiter {
  /** When each tracked caller's window ends, in ms since the epoch; oldest window first. */
  private readonly windowEnds = new Map<string, number>();

  constructor(
    perWindow: number,
    windowSeconds: number,
    private readonly maxTrackedCallers: number = MAX_TRACKED_CALLERS,
  ) {
    // No key prefix: each budget has a limiter of its own, and a prefix costs a string a request.
    super({ points: perWindow, duration: windowSeconds, keyPrefix: '' });
  }

  override consume(
    key: string | number,
    pointsToConsume?: number,
    options?: Record<string, unknown>,
  ): Promise<RateLimiterRes> {
    this.track(String(key));
    return super.consume(key, pointsToConsume, options);
  }

  /** Notes a caller whose window begins now, and makes room for it. */
  private track(key: string): void {
    trackCaller(this.windowEnds, key, this.msDuration, this.maxTrackedCallers, (oldest) => {
      void this.delete(oldest);
    });
  }
}

/**
 * Notes a caller whose window begins now in `windowEnds` (kept in the order windows began),
 * and makes room: ended windows are dropped, and past `maxTrackedCallers` the oldest live
 * one is handed to `forget` so that the store holding its count drops it too.
 */
export function trackCaller(
  windowEnds: Map<string, number>,
  key: string,
  windowMs: number,
  maxTrackedCallers: number,
  forget: (key: string) => void,
): void {
  const now = Date.now();
  const windowEnd = windowEnds.get(key);
  if (windowEnd !== undefined && windowEnd > now) return;
  // Deleted first so that the map stays in the order windows began: ended ones first.
  windowEnds.delete(key);
  for (const [oldest, oldestEnd] of windowEnds) {
    if (oldestEnd > now && windowEnds.size < maxTrackedCallers) break;
    windowEnds.delete(oldest);
    // An ended window the store drops by itself, on its own timer.
    if (oldestEnd > now) forget(oldest);
  }
  windowEnds.set(key, now + windowMs);
}

const MEMORY_STATUS: LimiterStatus = Object.freeze({
  store: 'memory',
  redisConfigured: false,
  redisReachable: false,
  redisErrors: 0,
});

/** Keeps every budget in this process's memory: each instance has budgets of its own. */
export function createMemoryStore(maxTrackedCallers: number = MAX_TRACKED_CALLERS): LimiterStore {
  return {
    limiter: (_budgetName, perWindow, windowSeconds) =>
      new BoundedMemoryLimiter(perWindow, windowSeconds, maxTrackedCallers),
    status: () => MEMORY_STATUS,
    close: () => Promise.resolve(),
  };
}
