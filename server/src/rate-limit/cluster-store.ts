// Budgets for node:cluster workers without Redis: rate-limiter-flexible's RateLimiterCluster,
// which counts in the primary (RateLimiterClusterMaster), so that all workers of one
// instance spend one budget per caller. Each worker caps the callers it has made the
// primary track, and forgets the oldest there, so the primary's memory is bounded too.
import {
  RateLimiterCluster,
  RateLimiterClusterMaster,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { BoundedMemoryLimiter, MAX_TRACKED_CALLERS, trackCaller } from './memory-store';
import type { BudgetLimiter, LimiterStatus, LimiterStore } from './types';

/**
 * Longest a worker waits for the primary's count, in milliseconds. The primary only counts
 * in memory; past this it is stuck, and the worker counts on its own instead.
 */
const PRIMARY_TIMEOUT_MS = 1_000;

/** In the primary: holds the budgets every worker's RateLimiterCluster counts in. */
export function holdClusterBudgets(): void {
  // The master registers its own IPC listeners on the workers; one per primary.
  new RateLimiterClusterMaster();
}

/** One budget counted in the primary, with the worker's own memory as a fallback. */
class ClusterBudget implements BudgetLimiter {
  readonly #primary: RateLimiterCluster;
  readonly #fallback: BoundedMemoryLimiter;
  readonly #windowEnds = new Map<string, number>();
  readonly #windowMs: number;

  constructor(
    budgetName: string,
    perWindow: number,
    windowSeconds: number,
    private readonly maxTrackedCallers: number,
  ) {
    this.#primary = new RateLimiterCluster({
      keyPrefix: budgetName,
      points: perWindow,
      duration: windowSeconds,
      timeoutMs: PRIMARY_TIMEOUT_MS,
    });
    this.#fallback = new BoundedMemoryLimiter(perWindow, windowSeconds, maxTrackedCallers);
    this.#windowMs = windowSeconds * 1000;
  }

  async consume(key: string): Promise<RateLimiterRes> {
    this.#track(key);
    try {
      return await this.#primary.consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      // The primary did not answer: never no limit, count here until it does.
      return this.#fallback.consume(key);
    }
  }

  /** Notes a caller whose window begins now, and has the primary forget the oldest. */
  #track(key: string): void {
    trackCaller(this.#windowEnds, key, this.#windowMs, this.maxTrackedCallers, (oldest) => {
      this.#primary.delete(oldest).catch(() => undefined);
    });
  }
}

const CLUSTER_STATUS: LimiterStatus = Object.freeze({
  store: 'memory',
  redisConfigured: false,
  redisReachable: false,
  redisErrors: 0,
});

/** Keeps every budget in the primary's memory, shared by this instance's workers. */
export function createClusterStore(maxTrackedCallers: number = MAX_TRACKED_CALLERS): LimiterStore {
  return {
    limiter: (budgetName, perWindow, windowSeconds) =>
      new ClusterBudget(budgetName, perWindow, windowSeconds, maxTrackedCallers),
    status: () => CLUSTER_STATUS,
    close: () => Promise.resolve(),
  };
}
